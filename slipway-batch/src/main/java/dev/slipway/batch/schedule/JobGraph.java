package dev.slipway.batch.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.slipway.api.InvalidInputException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checked set of jobs: every cron expression parses, every dependency names a job of the set, and
 * the dependencies have no cycle. Immutable and thread-safe.
 */
public final class JobGraph {

  /** A job with its parsed schedule. */
  record Job(JobDefinition definition, ExecutionTime schedule) {
    String name() {
      return definition.name();
    }
  }

  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final Map<String, Job> jobs;
  private final List<String> order;

  private JobGraph(Map<String, Job> jobs, List<String> order) {
    this.jobs = jobs;
    this.order = order;
  }

  /**
   * Checks a set of jobs.
   *
   * @throws InvalidInputException naming the job and its expression when a cron expression does not
   *     parse, the job and the missing name when a dependency is unknown, and the whole cycle (e.g.
   *     {@code a → b → c → a}) when dependencies form one; also for two jobs of one name
   */
  public static JobGraph of(Collection<JobDefinition> definitions) {
    Map<String, Job> jobs = new LinkedHashMap<>();
    for (JobDefinition d : definitions) {
      if (jobs.containsKey(d.name())) {
        throw InvalidInputException.of("jobs.name", d.name(), "a name no other job has");
      }
      jobs.put(d.name(), new Job(d, ExecutionTime.forCron(parse(d.name(), d.cron()))));
    }
    for (Job j : jobs.values()) {
      for (String dependency : j.definition().dependsOn()) {
        if (!jobs.containsKey(dependency)) {
          throw InvalidInputException.of(
              "jobs." + j.name() + ".dependsOn",
              dependency,
              "the name of a defined job (known: " + String.join(", ", jobs.keySet()) + ")");
        }
      }
    }
    Map<String, List<String>> dependsOn = new LinkedHashMap<>();
    jobs.forEach((name, j) -> dependsOn.put(name, j.definition().dependsOn()));
    return new JobGraph(Map.copyOf(jobs), order(dependsOn));
  }

  /**
   * Checks a cron expression the way {@link #of} does, for configuration checks that report every
   * problem at once.
   *
   * @throws InvalidInputException naming {@code jobs.<job>.cron}, the expression and the parser's
   *     reason
   */
  public static void checkCron(String job, String expression) {
    parse(job, expression);
  }

  /**
   * Orders jobs so that each comes after the jobs it depends on. Dependencies on names that are not
   * keys are ignored (check them first).
   *
   * @param dependsOn per job name, the jobs it depends on, in definition order
   * @throws InvalidInputException naming the whole cycle, e.g. {@code a → b → c → a}, when there is
   *     one
   */
  public static List<String> order(Map<String, List<String>> dependsOn) {
    List<String> order = new ArrayList<>();
    Set<String> done = new HashSet<>();
    Map<String, Integer> onPath = new HashMap<>();
    List<String> path = new ArrayList<>();
    for (String name : dependsOn.keySet()) {
      visit(name, dependsOn, done, onPath, path, order);
    }
    return List.copyOf(order);
  }

  /** Parses a UNIX cron expression, naming the job and the expression when it does not parse. */
  static Cron parse(String job, String expression) {
    try {
      return UNIX.parse(expression).validate();
    } catch (RuntimeException e) { // cron-utils signals a bad expression with several types
      throw InvalidInputException.of(
          "jobs." + job + ".cron",
          expression,
          "a UNIX cron expression (minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\")"
              + " but it does not parse: "
              + e.getMessage());
    }
  }

  /** The job of that name, or null. */
  Job job(String name) {
    return jobs.get(name);
  }

  /** Job names, every job after the jobs it depends on. */
  public List<String> order() {
    return order;
  }

  /** The definitions, in {@link #order()}. */
  public List<JobDefinition> definitions() {
    List<JobDefinition> all = new ArrayList<>();
    order.forEach(n -> all.add(jobs.get(n).definition()));
    return all;
  }

  private static void visit(
      String name,
      Map<String, List<String>> dependsOn,
      Set<String> done,
      Map<String, Integer> onPath,
      List<String> path,
      List<String> order) {
    if (done.contains(name) || !dependsOn.containsKey(name)) {
      return;
    }
    Integer at = onPath.get(name);
    if (at != null) {
      List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
      cycle.add(name);
      String text = String.join(" → ", cycle);
      throw InvalidInputException.of(
          "jobs." + cycle.get(0) + ".dependsOn",
          text,
          "dependencies without a cycle, but " + text + " is one");
    }
    onPath.put(name, path.size());
    path.add(name);
    for (String dependency : dependsOn.get(name)) {
      visit(dependency, dependsOn, done, onPath, path, order);
    }
    path.remove(path.size() - 1);
    onPath.remove(name);
    done.add(name);
    order.add(name);
  }
}
