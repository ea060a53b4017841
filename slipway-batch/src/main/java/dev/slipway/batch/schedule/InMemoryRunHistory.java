package dev.slipway.batch.schedule;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A {@link RunHistory} in memory, lost with the process. Thread-safe (synchronized). */
public final class InMemoryRunHistory implements RunHistory {

  private final Map<String, TreeMap<LocalDate, TreeMap<Integer, JobRun>>> runs = new TreeMap<>();

  @Override
  public synchronized void save(JobRun run) {
    runs.computeIfAbsent(run.job(), j -> new TreeMap<>())
        .computeIfAbsent(run.businessDate(), d -> new TreeMap<>())
        .put(run.attempt(), run);
  }

  @Override
  public synchronized List<JobRun> runs(String job) {
    List<JobRun> all = new ArrayList<>();
    runs.getOrDefault(job, new TreeMap<>()).values().forEach(m -> all.addAll(m.values()));
    return all;
  }
}
