package dev.slipway.batch.schedule;

/** Why a period was run. */
public enum RunTrigger {
  /** Its cron fire time came (or was caught up). */
  SCHEDULE,
  /** Someone asked for this date now ({@link Scheduler#trigger}). */
  MANUAL,
  /** Part of a date range asked for with {@link Scheduler#backfill}. */
  BACKFILL
}
