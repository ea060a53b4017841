package dev.slipway.serving.batching;

import dev.slipway.api.ModelFailureException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Predictor;
import dev.slipway.api.SlipwayException;
import dev.slipway.api.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs requests to one predictor in batches: a worker takes the oldest queued request, then waits
 * at most {@code maxQueueDelay} for more until {@code maxBatchSize} rows are gathered, concatenates
 * the inputs along the first dimension, runs the model once and splits the outputs back. Every
 * input and output must have a dynamic first (batch) dimension.
 *
 * <p>Thread-safe. {@code workers} batches run at once (the model's concurrent instances).
 */
public final class DynamicBatcher implements AutoCloseable {
  private final Predictor predictor;
  private final int maxBatchSize;
  private final long maxDelayNanos;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running = true;

  private record Job(
      Map<String, Tensor> inputs, int rows, CompletableFuture<Map<String, Tensor>> result) {}

  public DynamicBatcher(
      Predictor predictor, int maxBatchSize, Duration maxQueueDelay, int workers, String name) {
    if (maxBatchSize < 1 || workers < 1) {
      throw new IllegalArgumentException("maxBatchSize and workers must be positive");
    }
    this.predictor = predictor;
    this.maxBatchSize = maxBatchSize;
    this.maxDelayNanos = maxQueueDelay.toNanos();
    for (int i = 0; i < workers; i++) {
      Thread t = new Thread(this::work, "slipway-batcher-" + name + "-" + i);
      t.setDaemon(true);
      t.start();
      this.workers.add(t);
    }
  }

  /**
   * Queues the inputs (all with {@code rows} in their first dimension) and waits for their outputs.
   *
   * @throws ModelUnavailableException when the answer takes longer than {@code timeout}
   */
  public Map<String, Tensor> infer(Map<String, Tensor> inputs, Duration timeout) {
    if (!running) {
      throw new ModelUnavailableException("model is unloaded");
    }
    int rows = (int) inputs.values().iterator().next().shape()[0];
    CompletableFuture<Map<String, Tensor>> f = new CompletableFuture<>();
    queue.add(new Job(inputs, rows, f));
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new ModelUnavailableException(
          "model did not answer within its latency budget of " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SlipwayException s) {
        throw s;
      }
      throw new ModelFailureException("batched inference failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelUnavailableException("interrupted while waiting for the model", e);
    }
  }

  private void work() {
    Job carried = null;
    while (running) {
      List<Job> batch = new ArrayList<>();
      int rows = 0;
      try {
        Job first = carried != null ? carried : queue.poll(100, TimeUnit.MILLISECONDS);
        carried = null;
        if (first == null) {
          continue;
        }
        batch.add(first);
        rows = first.rows();
        long deadline = System.nanoTime() + maxDelayNanos;
        while (rows < maxBatchSize) {
          long left = deadline - System.nanoTime();
          Job next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          if (rows + next.rows() > maxBatchSize) {
            carried = next;
            break;
          }
          batch.add(next);
          rows += next.rows();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      batch.removeIf(j -> j.result().isCancelled());
      if (!batch.isEmpty()) {
        run(batch);
      }
    }
  }

  private void run(List<Job> batch) {
    try {
      if (batch.size() == 1) {
        batch.get(0).result().complete(predictor.infer(batch.get(0).inputs(), Set.of()));
        return;
      }
      Map<String, Tensor> merged = new LinkedHashMap<>();
      for (String name : batch.get(0).inputs().keySet()) {
        List<Tensor> parts = new ArrayList<>(batch.size());
        for (Job j : batch) {
          parts.add(j.inputs().get(name));
        }
        merged.put(name, concat(parts));
      }
      Map<String, Tensor> out = predictor.infer(merged, Set.of());
      int offset = 0;
      for (Job j : batch) {
        Map<String, Tensor> mine = new LinkedHashMap<>();
        for (Tensor t : out.values()) {
          mine.put(t.name(), slice(t, offset, j.rows()));
        }
        offset += j.rows();
        j.result().complete(mine);
      }
    } catch (RuntimeException e) {
      for (Job j : batch) {
        j.result().completeExceptionally(e);
      }
    }
  }

  /** Concatenates tensors of one type along the first dimension. */
  static Tensor concat(List<Tensor> parts) {
    Tensor first = parts.get(0);
    long rows = 0;
    int total = 0;
    for (Tensor t : parts) {
      rows += t.shape()[0];
      total += (int) t.size();
    }
    Object data =
        java.lang.reflect.Array.newInstance(first.data().getClass().getComponentType(), total);
    int at = 0;
    for (Tensor t : parts) {
      int n = (int) t.size();
      System.arraycopy(t.data(), 0, data, at, n);
      at += n;
    }
    long[] shape = first.shape().clone();
    shape[0] = rows;
    return new Tensor(first.name(), first.type(), shape, data);
  }

  /** Rows {@code [from, from + rows)} of a tensor. */
  static Tensor slice(Tensor t, int from, int rows) {
    long[] shape = t.shape().clone();
    int width = shape[0] == 0 ? 0 : (int) (t.size() / shape[0]);
    shape[0] = rows;
    Object data =
        java.lang.reflect.Array.newInstance(t.data().getClass().getComponentType(), rows * width);
    System.arraycopy(t.data(), from * width, data, 0, rows * width);
    return new Tensor(t.name(), t.type(), shape, data);
  }

  @Override
  public void close() {
    running = false;
    for (Thread t : workers) {
      t.interrupt();
    }
    for (Thread t : workers) {
      try {
        t.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Job j;
    while ((j = queue.poll()) != null) {
      j.result().completeExceptionally(new ModelUnavailableException("model is unloaded"));
    }
  }
}
