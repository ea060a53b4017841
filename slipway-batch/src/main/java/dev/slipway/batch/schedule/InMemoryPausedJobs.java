package dev.slipway.batch.schedule;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** {@link PausedJobs} in memory, lost with the process. Thread-safe. */
public final class InMemoryPausedJobs implements PausedJobs {
  private final Set<String> paused = ConcurrentHashMap.newKeySet();

  @Override
  public Set<String> paused() {
    return Set.copyOf(paused);
  }

  @Override
  public void set(String job, boolean value) {
    if (value) {
      paused.add(job);
    } else {
      paused.remove(job);
    }
  }
}
