package dev.slipway.batch.schedule;

import java.util.Set;

/**
 * Which jobs are paused, kept where it outlives the process, so that a job paused before a restart
 * stays paused after it. Implementations are thread-safe.
 *
 * <p>{@link JdbcPausedJobs} keeps it in the metadata database; {@link InMemoryPausedJobs} is for
 * tests and throw-away schedulers.
 */
public interface PausedJobs {

  /** The names of the paused jobs (including names no longer defined). */
  Set<String> paused();

  /** Records that a job is paused ({@code true}) or not ({@code false}); idempotent. */
  void set(String job, boolean paused);
}
