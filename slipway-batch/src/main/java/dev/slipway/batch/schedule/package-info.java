/**
 * The built-in batch scheduler: {@link dev.slipway.batch.schedule.JobDefinition jobs} with cron
 * schedules, dependencies on other jobs and on their own previous period, retries, catch-up, and a
 * {@link dev.slipway.batch.schedule.RunHistory history} of every attempt and {@link
 * dev.slipway.batch.schedule.PausedJobs pauses} that outlive the process. The {@link
 * dev.slipway.batch.schedule.Scheduler} is driven by a {@link java.time.Clock} and {@code tick()},
 * so its semantics are tested without threads.
 */
package dev.slipway.batch.schedule;
