package dev.slipway.monitor.alert;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates alert rules over per-window values. Each observation is one window's value of one
 * metric of one model; observations of a metric arrive in window order (an observation for a window
 * already seen replaces its value, an older one is ignored). A rule fires once when its last {@code
 * windows} observations all breach, and is armed again by the first observation that does not
 * breach.
 *
 * <p>Thread-safe: observations are serialised.
 */
public final class AlertEngine {
  private static final Logger LOG = LoggerFactory.getLogger(AlertEngine.class);

  private final Map<String, List<AlertRule>> rules;
  private final List<AlertListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Deque<Window>> history = new HashMap<>();
  private final Set<String> firing = new HashSet<>();

  private record Window(Instant end, double value) {}

  /**
   * @param rules per model name, its rules (rule names unique per model)
   * @throws IllegalArgumentException when a model has two rules of one name
   */
  public AlertEngine(Map<String, List<AlertRule>> rules) {
    Map<String, List<AlertRule>> copy = new HashMap<>();
    rules.forEach(
        (model, list) -> {
          Set<String> names = new HashSet<>();
          for (AlertRule r : list) {
            if (!names.add(r.name())) {
              throw new IllegalArgumentException(
                  "model '" + model + "' has two alert rules named '" + r.name() + "'");
            }
          }
          copy.put(model, List.copyOf(list));
        });
    this.rules = Map.copyOf(copy);
  }

  public void addListener(AlertListener listener) {
    listeners.add(listener);
  }

  /** The rules of a model (empty when it has none). */
  public List<AlertRule> rules(String model) {
    return rules.getOrDefault(model, List.of());
  }

  /** The metrics some rule of the model watches. */
  public Set<String> metrics(String model) {
    Set<String> out = new HashSet<>();
    for (AlertRule r : rules(model)) {
      out.add(r.metric());
    }
    return out;
  }

  /** Whether a rule of a model is firing (fired and not yet recovered). */
  public synchronized boolean isFiring(String model, String rule) {
    return firing.contains(model + '\u0000' + rule);
  }

  /**
   * Records one window's value of a metric and fires the rules it completes.
   *
   * @return the alerts that fired (also given to the listeners)
   */
  public List<Alert> observe(String model, String metric, Instant windowEnd, double value) {
    List<Alert> fired = new ArrayList<>();
    synchronized (this) {
      List<AlertRule> watching = new ArrayList<>();
      int keep = 0;
      for (AlertRule r : rules(model)) {
        if (r.metric().equals(metric)) {
          watching.add(r);
          keep = Math.max(keep, r.windows());
        }
      }
      if (watching.isEmpty()) {
        return List.of();
      }
      Deque<Window> windows =
          history.computeIfAbsent(model + '\u0000' + metric, k -> new ArrayDeque<>());
      Window last = windows.peekLast();
      if (last != null && windowEnd.isBefore(last.end())) {
        return List.of(); // an older window arriving late: the newer ones decided already
      }
      if (last != null && windowEnd.equals(last.end())) {
        windows.pollLast();
      }
      windows.addLast(new Window(windowEnd, value));
      while (windows.size() > keep) {
        windows.pollFirst();
      }
      for (AlertRule r : watching) {
        String key = model + '\u0000' + r.name();
        if (!r.breachedBy(value)) {
          firing.remove(key);
          continue;
        }
        if (firing.contains(key) || windows.size() < r.windows()) {
          continue;
        }
        List<Double> values = new ArrayList<>(r.windows());
        boolean all = true;
        int skip = windows.size() - r.windows();
        for (Window w : windows) {
          if (skip-- > 0) {
            continue;
          }
          all &= r.breachedBy(w.value());
          values.add(w.value());
        }
        if (all) {
          firing.add(key);
          fired.add(new Alert(model, r, windowEnd, values));
        }
      }
    }
    for (Alert a : fired) {
      for (AlertListener l : listeners) {
        try {
          l.fired(a);
        } catch (RuntimeException e) {
          LOG.warn("an alert listener failed on {}", a.message(), e);
        }
      }
    }
    return fired;
  }
}
