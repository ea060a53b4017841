package dev.slipway.monitor.lifecycle;

import java.time.Instant;

/**
 * One step of a lifecycle run, as recorded.
 *
 * @param at when it ended
 * @param model the model
 * @param run the run's number for the model (1, 2, …)
 * @param action {@code alert}, {@code retrain}, {@code gate}, {@code canary} or {@code skip}
 * @param outcome {@code started}, {@code done}, {@code blessed}, {@code not_blessed}, {@code
 *     failed} or {@code skipped}
 * @param detail the numbers and reasons behind it
 */
public record LifecycleStep(
    Instant at, String model, int run, String action, String outcome, String detail) {}
