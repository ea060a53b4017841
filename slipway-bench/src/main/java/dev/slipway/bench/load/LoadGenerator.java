package dev.slipway.bench.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends one HTTP/1.1 POST request over and over on a fixed set of keep-alive connections to
 * 127.0.0.1, in one of two ways, and records each answer's latency in a {@link Window}:
 *
 * <ul>
 *   <li>{@link #openLoop}: request {@code i} is due at {@code start + i / rate} whatever the server
 *       does. It goes out on a free connection when it is due, or waits in a queue until one is
 *       free; its latency is counted from the time it was due, so time spent waiting for a slow
 *       server shows in the percentiles (no coordinated omission, as wrk2). At most {@code
 *       maxQueue} requests wait: one due while the queue is full is not sent and is counted as
 *       {@code shed}.
 *   <li>{@link #closedLoop}: every connection sends its next request as soon as the answer to the
 *       previous one is in (as wrk); latency is counted from the send. With {@code n} connections
 *       this is {@code n} clients that each wait for their answer: the right model for "throughput
 *       at concurrency n", the wrong one for latency under a given load.
 * </ul>
 *
 * <p>Deliberately small and cheap per request (plain NIO, one reader thread blocked in {@code
 * select}; in open loop the calling thread paces and writes), because on a small machine the load
 * generator shares the CPUs with the server; {@link #cpuSeconds} makes that cost visible. It
 * understands only what the Slipway server answers: HTTP/1.1 with {@code Content-Length} or chunked
 * bodies, at most 64 KiB. A connection the server closes is not reopened: {@link Summary#closed}
 * counts them, and requests it carried count as errors.
 *
 * <p>Thread-safe; one run at a time (the run methods are not meant to be called concurrently).
 */
public final class LoadGenerator implements AutoCloseable {
  private final byte[] request;
  private final int connectionCount;
  private final Selector selector;
  private final Thread reader;

  private final Object lock = new Object();
  // guarded by lock
  private final ArrayDeque<Connection> free = new ArrayDeque<>();
  private final ArrayDeque<Long> waiting = new ArrayDeque<>();
  private Window window;
  private boolean closedLoop;
  private long closedLoopUntil;
  private int live;
  private long sentTotal;
  private volatile boolean stopping;

  /**
   * Opens {@code connections} keep-alive connections to the URL's port on 127.0.0.1.
   *
   * @param url where to POST, {@code http://127.0.0.1:PORT/path}
   * @param body the request body (sent with {@code Content-Type: application/json})
   */
  public LoadGenerator(URI url, byte[] body, int connections) throws IOException {
    if (!"http".equals(url.getScheme()) || !"127.0.0.1".equals(url.getHost())) {
      throw new IllegalArgumentException("the URL must be http://127.0.0.1:PORT/..., got " + url);
    }
    if (connections < 1 || connections > 1024) {
      throw new IllegalArgumentException("connections in [1, 1024], got " + connections);
    }
    byte[] head =
        ("POST "
                + url.getRawPath()
                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + url.getPort()
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    request = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    connectionCount = connections;
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", url.getPort());
    selector = Selector.open();
    try {
      for (int i = 0; i < connections; i++) {
        Connection c = new Connection(SocketChannel.open(address));
        c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
        free.add(c);
      }
    } catch (IOException e) {
      for (SelectionKey k : selector.keys()) {
        k.channel().close();
      }
      selector.close();
      throw e;
    }
    live = connections;
    reader = new Thread(this::readLoop, "load-generator-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * The latencies and counts of requests sent while it was the current window; several runs may add
   * to one window (e.g. alternating rounds). Guarded by the generator's lock.
   */
  public static final class Window {
    private long[] latencies = new long[1 << 14];
    private int recorded;
    private long errors;
    private long shed;
    private long sent;
    private double seconds;
    private String firstError;

    private void ok(long nanos) {
      if (recorded == latencies.length) {
        latencies = Arrays.copyOf(latencies, latencies.length * 2);
      }
      latencies[recorded++] = nanos;
    }

    private void error(String why) {
      errors++;
      if (firstError == null) {
        firstError = why;
      }
    }
  }

  /**
   * What a window saw. Percentiles are nearest-rank, in milliseconds, over successful answers.
   *
   * @param seconds the length of the runs that fed the window (without draining)
   * @param closed connections the server had closed by the time of the summary
   * @param firstError the first failure, or null
   */
  public record Summary(
      long sent,
      long ok,
      long errors,
      long shed,
      double seconds,
      double p50,
      double p90,
      double p99,
      double p999,
      double max,
      int closed,
      String firstError) {
    /** Successful answers per second. */
    public double okPerSecond() {
      return seconds == 0 ? 0 : ok / seconds;
    }

    /** {@code p50=… p90=… p99=… p999=… max=…} in milliseconds. */
    public String percentiles() {
      return String.format(
          Locale.ROOT,
          "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f",
          p50,
          p90,
          p99,
          p999,
          max);
    }
  }

  /** Sorts the window's latencies: call it once the runs feeding the window are over. */
  public Summary summary(Window w) {
    long[] sorted;
    Summary counts;
    synchronized (lock) {
      sorted = Arrays.copyOf(w.latencies, w.recorded);
      counts =
          new Summary(
              w.sent,
              w.recorded,
              w.errors,
              w.shed,
              w.seconds,
              0,
              0,
              0,
              0,
              0,
              connectionCount - live,
              w.firstError);
    }
    Arrays.sort(sorted);
    return new Summary(
        counts.sent(),
        counts.ok(),
        counts.errors(),
        counts.shed(),
        counts.seconds(),
        ms(sorted, 0.50),
        ms(sorted, 0.90),
        ms(sorted, 0.99),
        ms(sorted, 0.999),
        sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6,
        counts.closed(),
        counts.firstError());
  }

  /**
   * Issues requests at {@code rate} per second for {@code seconds} into {@code w}, then waits (at
   * most 10 s) for the answers still due.
   */
  public void openLoop(Window w, double rate, int seconds, int maxQueue)
      throws InterruptedException {
    if (rate <= 0 || seconds < 0 || maxQueue < 0) {
      throw new IllegalArgumentException("rate > 0, seconds >= 0, maxQueue >= 0");
    }
    synchronized (lock) {
      window = w;
      w.seconds += seconds;
    }
    long period = (long) (1e9 / rate);
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    for (long i = 0; ; i++) {
      long due = start + i * period;
      if (due >= end) {
        break;
      }
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      Connection c;
      synchronized (lock) {
        c = free.poll();
        if (c == null && waiting.size() >= maxQueue) {
          w.shed++;
          continue;
        }
        w.sent++;
        sentTotal++;
        if (c == null) {
          waiting.add(due);
          continue;
        }
        c.take(due, w);
      }
      send(c);
    }
    drain();
  }

  /**
   * Keeps every connection busy for {@code seconds} (each sends again as soon as it has its
   * answer), recording into {@code w}; then waits (at most 10 s) for the last answers.
   */
  public void closedLoop(Window w, int seconds) throws InterruptedException {
    List<Connection> start = new ArrayList<>();
    long now = System.nanoTime();
    synchronized (lock) {
      window = w;
      w.seconds += seconds;
      closedLoop = true;
      closedLoopUntil = now + TimeUnit.SECONDS.toNanos(seconds);
      Connection c;
      while ((c = free.poll()) != null) {
        c.take(now, w);
        w.sent++;
        sentTotal++;
        start.add(c);
      }
    }
    for (Connection c : start) {
      send(c);
    }
    long left;
    while ((left = closedLoopUntil - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    }
    synchronized (lock) {
      closedLoop = false;
    }
    drain();
  }

  private void drain() throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until) {
      synchronized (lock) {
        if (waiting.isEmpty() && free.size() == live) {
          return;
        }
      }
      Thread.sleep(1);
    }
  }

  /** Requests sent over the generator's life. */
  public long sentTotal() {
    synchronized (lock) {
      return sentTotal;
    }
  }

  /** CPU seconds this whole process has used (generator, JVM start and anything else in it). */
  public static double cpuSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  @Override
  public void close() throws IOException {
    stopping = true;
    selector.wakeup();
    try {
      reader.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SelectionKey k : selector.keys()) {
      k.channel().close();
    }
    selector.close();
  }

  /** One keep-alive connection; while busy it belongs to the request in flight on it. */
  private final class Connection {
    final SocketChannel channel;
    final ByteBuffer in = ByteBuffer.allocate(1 << 16);
    SelectionKey key;
    // guarded by lock: the request in flight (due time, window), and whether the connection died
    boolean busy;
    boolean dead;
    long due;
    Window owner;

    Connection(SocketChannel channel) throws IOException {
      this.channel = channel;
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.configureBlocking(false);
    }

    /** Marks the connection busy with a request due at {@code at}; the caller holds the lock. */
    void take(long at, Window w) {
      busy = true;
      due = at;
      owner = w;
    }

    /**
     * Reads what arrived; returns the status code once a whole response is in, -1 before, or throws
     * on a closed or unparseable connection.
     */
    int read() throws IOException {
      if (channel.read(in) < 0) {
        throw new IOException("server closed the connection");
      }
      byte[] b = in.array();
      int n = in.position();
      int headEnd = indexOf(b, n, HEAD_END, 0);
      if (headEnd < 0) {
        return -1;
      }
      String head = new String(b, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
      int status = Integer.parseInt(head.substring(9, 12));
      int bodyStart = headEnd + 4;
      int cl = head.indexOf("\r\ncontent-length:");
      boolean complete;
      if (cl >= 0) {
        int eol = head.indexOf("\r\n", cl + 2);
        int length =
            Integer.parseInt(head.substring(cl + 17, eol < 0 ? head.length() : eol).trim());
        complete = n >= bodyStart + length;
      } else if (head.contains("\r\ntransfer-encoding: chunked")) {
        complete = indexOf(b, n, CHUNKED_END, bodyStart - 2) >= 0;
      } else {
        throw new IOException("response without a length: " + head);
      }
      if (!complete) {
        if (!in.hasRemaining()) {
          throw new IOException("response over " + in.capacity() + " bytes");
        }
        return -1;
      }
      in.clear();
      return status;
    }
  }

  private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
  private static final byte[] CHUNKED_END = {'\r', '\n', '0', '\r', '\n', '\r', '\n'};

  private static int indexOf(byte[] b, int n, byte[] what, int from) {
    outer:
    for (int i = Math.max(0, from); i <= n - what.length; i++) {
      for (int j = 0; j < what.length; j++) {
        if (b[i + j] != what[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Writes the request on a connection its caller has just taken. */
  private void send(Connection c) {
    try {
      ByteBuffer out = ByteBuffer.wrap(request);
      while (out.hasRemaining()) {
        if (c.channel.write(out) == 0) {
          Thread.onSpinWait(); // the socket buffer is empty between requests: rare
        }
      }
    } catch (IOException e) {
      kill(c, "send: " + e);
    }
  }

  /**
   * Takes a broken connection out of service once: the request it carried (if any) is an error. An
   * idle connection the server closed is no error: it is only no longer used.
   */
  private void kill(Connection c, String why) {
    synchronized (lock) {
      if (c.dead) {
        return;
      }
      c.dead = true;
      live--;
      if (c.busy) {
        c.owner.error(why);
        c.busy = false;
      } else {
        free.remove(c);
      }
    }
    c.key.cancel();
    try {
      c.channel.close();
    } catch (IOException ignored) {
      // already broken
    }
  }

  private void readLoop() {
    try {
      while (!stopping) {
        selector.select();
        for (SelectionKey key : selector.selectedKeys()) {
          Connection c = (Connection) key.attachment();
          int status;
          try {
            status = c.read();
          } catch (IOException | RuntimeException e) {
            kill(c, "read: " + e);
            continue;
          }
          if (status < 0) {
            continue;
          }
          long now = System.nanoTime();
          synchronized (lock) {
            if (c.dead || !c.busy) {
              continue; // an answer nobody asked for
            }
            if (status == 200) {
              c.owner.ok(now - c.due);
            } else {
              c.owner.error("HTTP " + status);
            }
            c.busy = false;
            if (closedLoop && now < closedLoopUntil) {
              c.take(now, window);
              window.sent++;
              sentTotal++;
            } else {
              Long next = waiting.poll();
              if (next == null) {
                free.add(c);
                continue;
              }
              c.take(next, window);
            }
          }
          send(c);
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("load generator reader stopped: " + e);
    }
  }

  /** The nearest-rank percentile, in milliseconds. */
  private static double ms(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))] / 1e6;
  }
}
