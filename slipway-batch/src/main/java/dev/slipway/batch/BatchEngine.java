package dev.slipway.batch;

import dev.slipway.api.ConflictException;
import dev.slipway.api.Field;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Prediction;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import dev.slipway.batch.store.PredictionStore;
import dev.slipway.batch.store.StoredPrediction;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.host.ServedModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scores a data set through the online {@link Pipeline}: the same guards and the same verdicts as a
 * request to the records API, one chunk of rows per request.
 *
 * <p>Streamed: one thread reads chunks and hands them to a pool of {@link BatchJob#parallelism()}
 * threads; at most {@link #maxInFlight} chunks are read and not yet written, so memory does not
 * grow with the input. Chunks are written in input order, so the output is the same whatever the
 * parallelism. A chunk the pipeline refuses for bad input is scored again row by row: the good rows
 * are written, each bad one goes to the rejects file with exactly the message the records API would
 * answer (400) for that row alone.
 *
 * <p>Sources: CSV, JSON Lines, Parquet (a file or a directory of parts), or a table or query
 * through JDBC. Sinks: CSV, JSON Lines, Parquet, or tables. Every output row has its key (the key
 * column, or the row number), the model's outputs, {@code model_version} and {@code scored_at};
 * every reject its key, row number, field and reason.
 *
 * <p>Crash-safe: every {@link BatchJob#checkpointEvery()} chunks' worth of rows both sinks make
 * their rows durable and then a checkpoint records the rows done and the sinks' states: text files
 * are forced and their lengths kept; a Parquet part is closed and renamed; table rows are committed
 * in the same transaction as the checkpoint. Started again after a crash, a job cuts the sinks back
 * to the checkpoint and goes on from the next row, with the model version it started with: every
 * row is written exactly once. Only a complete job puts its output under its final name (see {@link
 * FileTarget}, {@link ParquetSink}, {@link JdbcTarget}).
 *
 * <p>Thread-safe: each {@link #run} is independent; run jobs with different outputs.
 */
public final class BatchEngine {
  /** The key column's name in the output when a job has no key column. */
  public static final String ROW = "row";

  /**
   * A job's first chunks are small: {@link #WARM_CHUNKS} chunks of at most {@link #WARM_ROWS} rows.
   * The JIT compiles a method called once a chunk when it has been called some hundreds of times;
   * until then a long loop inside it is compiled on its own, on the stack, and compiled again with
   * the method (each of the chunk's scoring, encoding, decoding and writing loops, two or three
   * compilations of a few thousand bytecodes). Small first chunks reach those calls within ~32,000
   * rows, so each is compiled once: 4-5 % off a 5M-row job on two cores (docs/BENCHMARKS.md,
   * 2026-12-07 fourth session). A chunk size of 32 or less is used from the start.
   */
  static final int WARM_CHUNKS = 1000;

  static final int WARM_ROWS = 32;

  private final Pipeline pipeline;
  private final Clock clock;
  private final PredictionStore store;

  public BatchEngine(Pipeline pipeline, Clock clock) {
    this(pipeline, clock, null);
  }

  /**
   * An engine that also puts every scored row into a prediction store, keyed by the job's key
   * column (which such a job must have), as each chunk is written. Rejected rows are not stored; a
   * scored row whose key cannot be stored (blank, longer than {@value
   * PredictionStore#MAX_KEY_LENGTH} characters) is rejected. A resumed job stores the rows after
   * its checkpoint again, which changes nothing: a put of the same result is idempotent.
   *
   * @param store where scored rows go too, or null for none; the caller keeps ownership
   */
  public BatchEngine(Pipeline pipeline, Clock clock, PredictionStore store) {
    this.pipeline = pipeline;
    this.clock = clock;
    this.store = store;
  }

  /**
   * Refuses a job whose model does not take records, or whose input lacks a column the model needs
   * (a non-nullable feature) or the job's key column. Other runners (Spark) call this so that a job
   * is refused with the same message everywhere.
   *
   * @param header the input's columns, or null when rows name their own fields (JSON Lines: a row
   *     lacking a field is rejected on its own)
   * @param input the input as the message names it
   * @throws InvalidInputException naming what is missing
   */
  public static void checkColumns(
      BatchJob job, ServedModel model, List<String> header, String input) {
    if (model.codec().isEmpty()) {
      throw InvalidInputException.of(
          "model", job.model(), "a model that takes records (named columns)");
    }
    if (header == null) {
      return;
    }
    List<String> missing = new ArrayList<>();
    for (Field f : model.codec().get().schema().fields()) {
      if (!f.nullable() && !header.contains(f.name())) {
        missing.add("'" + f.name() + "' (" + f.type() + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw InvalidInputException.missing(
          "input",
          "column"
              + (missing.size() > 1 ? "s " : " ")
              + String.join(", ", missing)
              + " that model "
              + model.name()
              + "/"
              + model.number()
              + " needs; "
              + input
              + " has "
              + header);
    }
    if (job.keyColumn() != null && !header.contains(job.keyColumn())) {
      throw InvalidInputException.missing(
          "input", "the key column '" + job.keyColumn() + "'; " + input + " has " + header);
    }
  }

  /**
   * Reads every input row of a job into records with the reader the engine uses, scoring none: the
   * baseline a benchmark compares scoring with. Single-threaded; holds one row at a time.
   *
   * @return the rows read (including those that would be rejected as unreadable)
   * @throws InvalidInputException when the input is missing or unreadable
   */
  public static long parseOnly(BatchJob job) {
    try (RowSource source =
        job.jdbcInput() != null
            ? JdbcRows.open(job.jdbcInput(), job.keyColumn())
            : RowSource.open(job.input(), job.inputFormat())) {
      long n = 0;
      for (RowSource.Row r = source.next(); r != null; r = source.next()) {
        r.record(); // a CSV row is typed when its record is first asked for
        n++;
      }
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The most chunks a job holds at once, read but not yet written. */
  public static int maxInFlight(BatchJob job) {
    return 2 * job.parallelism();
  }

  /**
   * Runs a job to the end, resuming it if a checkpoint is there.
   *
   * @throws InvalidInputException when the input is missing or unreadable, or lacks a column the
   *     model needs or the key column; the output is then left unfinished (never under its final
   *     name)
   * @throws dev.slipway.api.ModelNotFoundException when the model reference names nothing
   * @throws ConflictException when the output exists already, or a checkpoint is of another job
   */
  public BatchSummary run(BatchJob job, BatchProgress.Listener listener) {
    try {
      return new Run(job, listener).run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private sealed interface Verdict permits Scored, Rejected {}

  private record Scored(Prediction prediction) implements Verdict {}

  private record Rejected(InvalidInputException error) implements Verdict {}

  private record Chunk(long firstRow, List<RowSource.Row> rows) {}

  /**
   * A scored chunk. For text outputs the worker has also formatted it ({@code out}, {@code rej}
   * non-null, with the counts), so that the writing thread only appends bytes in order.
   */
  private record Done(
      Chunk chunk,
      Verdict[] verdicts,
      Instant scoredAt,
      TextSink.Encoded out,
      TextSink.Encoded rej,
      long scored,
      long rejected) {
    Done(Chunk chunk, Verdict[] verdicts, Instant scoredAt) {
      this(chunk, verdicts, scoredAt, null, null, 0, 0);
    }
  }

  /** One execution of a job. */
  private final class Run {
    private final BatchJob job;
    private final BatchProgress.Listener listener;
    private Checkpoint cp;
    private String name;
    private int version;
    private long rowsRead;
    private long resumedAt;
    private RowSource source;
    // a CSV file cut into pieces of rows that the workers parse (null: rows come from source)
    private CsvPieces pieces;
    private RowSource.CsvHead csvHead;
    // the number of the first row of the next piece, known once the piece before is parsed
    private CompletableFuture<Long> nextStart;
    // rows per chunk: the job's, at most what one pipeline call takes
    private int chunk;
    private int chunksMade;
    private Target target;
    // text outputs without a store: workers format the rows, checkpoints are forced off-thread
    private TextSink textOut;
    private TextSink textRejects;
    private ExecutorService committer;
    private Future<?> pendingCommit;

    Run(BatchJob job, BatchProgress.Listener listener) {
      this.job = job;
      this.listener = listener;
    }

    BatchSummary run() throws IOException {
      long started = System.nanoTime();
      String input = job.describeInput();
      if (store != null && job.keyColumn() == null) {
        throw InvalidInputException.missing(
            "key", "the input column to store predictions by (--key), e.g. a user id");
      }
      // a chunk is one pipeline request: no larger than the pipeline takes (a larger one would be
      // refused, and every row then run alone)
      chunk = Math.min(job.chunkSize(), pipeline.limits().maxRecords());
      target = job.jdbcOutput() != null ? new JdbcTarget(job.jdbcOutput()) : new FileTarget(job);
      try {
        cp = target.checkpoint();
        if (cp != null && (!cp.model().equals(job.model()) || !cp.input().equals(input))) {
          throw new ConflictException(
              "the checkpoint of "
                  + target.describe()
                  + " is of an unfinished job scoring "
                  + cp.input()
                  + " with "
                  + cp.model()
                  + "; run that job again to finish it, or delete the checkpoint to start over");
        }
        List<String> columns;
        if (job.jdbcInput() == null
            && job.inputFormat() == DataFormat.CSV
            && job.parallelism() > 1
            && (pieces = CsvPieces.open(job.input())) != null) {
          csvHead = RowSource.csvHead(job.input(), pieces.header());
          columns = csvHead.columns();
        } else {
          source =
              job.jdbcInput() != null
                  ? JdbcRows.open(job.jdbcInput(), job.keyColumn())
                  : RowSource.open(job.input(), job.inputFormat());
          columns = source.columns();
        }
        ServedModel model =
            cp == null
                ? pipeline.host().get(job.model(), null)
                : pipeline.host().get(cp.name(), cp.version());
        name = model.name();
        version = model.number();
        checkColumns(job, model, columns, job.describeInput());
        target.open(cp);
        if (cp == null) {
          cp = new Checkpoint(job.model(), name, version, input, 0, 0, 0, null, null);
        }
        resumedAt = cp.rows();
        if (store == null
            && target.output() instanceof TextSink o
            && target.rejects() instanceof TextSink r) {
          textOut = o;
          textRejects = r;
        }
        commit(cp.rows(), cp.scored(), cp.rejected());
        return score(started);
      } finally {
        if (committer != null) {
          committer.shutdown();
          try {
            // a failed job: let a checkpoint being saved finish before the files are closed
            committer.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        if (source != null) {
          source.close();
        }
        if (pieces != null) {
          pieces.close();
        }
        target.close();
      }
    }

    private BatchSummary score(long started) throws IOException {
      Chunk resumed = pieces != null ? skipPieces() : skipRows();
      rowsRead = cp.rows();
      long written = cp.rows();
      long scored = cp.scored();
      long rejected = cp.rejected();
      long sinceCheckpoint = 0; // rows
      AtomicInteger threadNo = new AtomicInteger();
      ExecutorService pool =
          Executors.newFixedThreadPool(
              job.parallelism(),
              r -> {
                Thread t = new Thread(r, "slipway-batch-" + threadNo.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      ArrayDeque<Future<Done>> inFlight = new ArrayDeque<>();
      int bound = maxInFlight(job);
      long total = pieces != null ? job.input().toFile().length() : source.total();
      if (pieces != null) {
        nextStart =
            CompletableFuture.completedFuture(
                resumed == null ? rowsRead : resumed.firstRow() + resumed.rows().size());
      }
      try {
        boolean more = true;
        while (more || !inFlight.isEmpty()) {
          if (resumed != null) {
            // the rest of the piece the resumed rows start in, parsed while skipping
            Chunk c = resumed;
            resumed = null;
            inFlight.add(pool.submit(() -> scoreChunk(c)));
            continue;
          }
          if (more && inFlight.size() < bound) {
            if (pieces != null) {
              byte[] piece = pieces.next(nextChunkRows());
              if (piece == null) {
                more = false;
              } else {
                CompletableFuture<Long> start = nextStart;
                CompletableFuture<Long> after = new CompletableFuture<>();
                nextStart = after;
                inFlight.add(pool.submit(() -> scorePiece(piece, start, after)));
              }
              continue;
            }
            Chunk c = readChunk();
            if (c == null) {
              more = false;
            } else {
              inFlight.add(pool.submit(() -> scoreChunk(c)));
            }
            continue;
          }
          Done d = await(inFlight.poll());
          if (d.out() != null) {
            textOut.write(d.out());
            textRejects.write(d.rej());
            scored += d.scored();
            rejected += d.rejected();
          } else {
            long[] counts = write(d);
            scored += counts[0];
            rejected += counts[1];
          }
          written += d.chunk().rows().size();
          if (pieces != null) {
            rowsRead = written; // a piece's rows are counted once it is parsed
          }
          sinceCheckpoint += d.chunk().rows().size();
          if (sinceCheckpoint >= (long) job.checkpointEvery() * chunk && commitIdle()) {
            commit(written, scored, rejected);
            sinceCheckpoint = 0;
          }
          listener.update(
              new BatchProgress(
                  rowsRead,
                  written,
                  rejected,
                  pieces != null ? pieces.bytesRead() : source.bytesRead(),
                  total,
                  inFlight.size()));
        }
      } finally {
        pool.shutdownNow();
      }
      commit(written, scored, rejected);
      awaitCommit();
      BatchSummary summary =
          new BatchSummary(
              name,
              version,
              written,
              scored,
              rejected,
              (System.nanoTime() - started) / 1_000_000,
              resumedAt,
              true);
      target.finish(summary);
      return summary;
    }

    /** Skips the rows a checkpoint says are done, reading them one by one. */
    private Chunk skipRows() {
      for (long i = 0; i < cp.rows(); i++) {
        if (source.next() == null) {
          throw inputChanged(i);
        }
      }
      return null;
    }

    /**
     * Skips the rows a checkpoint says are done by parsing pieces on this thread; the rest of the
     * piece the done rows end in is the first chunk to score (null when they end with a piece).
     */
    private Chunk skipPieces() throws IOException {
      long skipped = 0;
      while (skipped < cp.rows()) {
        byte[] piece = pieces.next(chunk);
        if (piece == null) {
          throw inputChanged(skipped);
        }
        List<RowSource.Row> rows = parse(piece, skipped);
        if (skipped + rows.size() > cp.rows()) {
          int from = (int) (cp.rows() - skipped);
          return new Chunk(cp.rows(), new ArrayList<>(rows.subList(from, rows.size())));
        }
        skipped += rows.size();
      }
      return null;
    }

    private ConflictException inputChanged(long rows) {
      return new ConflictException(
          "the checkpoint says "
              + cp.rows()
              + " rows were done, but "
              + job.describeInput()
              + " has only "
              + rows
              + ": the input changed; delete the checkpoint to start over");
    }

    /** A piece's rows, its first row being row {@code first} (0-based) of the file. */
    private List<RowSource.Row> parse(byte[] piece, long first) {
      try {
        return RowSource.csvPiece(job.input(), csvHead, piece, chunk);
      } catch (RowSource.PieceFailure e) {
        throw e.error(job.input(), first);
      }
    }

    /**
     * Parses and scores a piece on a worker. Its rows are numbered once the piece before it is
     * parsed ({@code start}, completed by that piece's worker, which took it from the queue
     * earlier, so the wait is short and cannot deadlock); this piece's count then completes {@code
     * after} for the next. A piece that cannot be parsed fails the job at its row, as the serial
     * reader does, and the pieces after it with it.
     */
    private Done scorePiece(
        byte[] piece, CompletableFuture<Long> start, CompletableFuture<Long> after)
        throws InterruptedException {
      List<RowSource.Row> rows;
      try {
        rows = RowSource.csvPiece(job.input(), csvHead, piece, chunk);
      } catch (RowSource.PieceFailure e) {
        InvalidInputException error = e.error(job.input(), firstRow(start, after));
        after.completeExceptionally(error);
        throw error;
      }
      long first = firstRow(start, after);
      after.complete(first + rows.size());
      return scoreChunk(new Chunk(first, rows));
    }

    /** The first row of a piece; a piece before it that failed fails this one (and the next). */
    private long firstRow(CompletableFuture<Long> start, CompletableFuture<Long> after)
        throws InterruptedException {
      try {
        return start.get();
      } catch (ExecutionException e) {
        after.completeExceptionally(e.getCause());
        throw e.getCause() instanceof RuntimeException re
            ? re
            : new IllegalStateException(e.getCause());
      }
    }

    /** The rows of the next chunk: the job's chunk size, after the first small ones. */
    private int nextChunkRows() {
      return chunksMade++ < WARM_CHUNKS ? Math.min(chunk, WARM_ROWS) : chunk;
    }

    private Chunk readChunk() {
      int size = nextChunkRows();
      List<RowSource.Row> rows = new ArrayList<>(size);
      long first = rowsRead;
      while (rows.size() < size) {
        RowSource.Row r = source.next();
        if (r == null) {
          break;
        }
        rows.add(r);
        rowsRead++;
      }
      return rows.isEmpty() ? null : new Chunk(first, rows);
    }

    private Done await(Future<Done> f) {
      try {
        return f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted; the job resumes from its checkpoint", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException(e.getCause());
      }
    }

    private Done scoreChunk(Chunk c) {
      int n = c.rows().size();
      Verdict[] verdicts = new Verdict[n];
      int[] idx = new int[n]; // the positions of the rows read, in order
      List<Record> records = records(c, verdicts, idx);
      Instant at = clock.instant();
      if (records.isEmpty()) {
        return encoded(new Done(c, verdicts, at));
      }
      try {
        dev.slipway.serving.InferenceResult whole =
            pipeline.run(InferenceRequest.ofRecords(name, version, records));
        if (textOut != null && textOut.format() == DataFormat.CSV && records.size() == n) {
          Done d = csvColumns(c, whole, at);
          if (d != null) {
            return d;
          }
        }
        List<Prediction> p = predictions(whole);
        for (int j = 0; j < records.size(); j++) {
          verdicts[idx[j]] = new Scored(p.get(j));
        }
      } catch (InvalidInputException e) {
        // some row is bad: each row alone gets the verdict the records API would give it
        for (int j = 0; j < records.size(); j++) {
          try {
            verdicts[idx[j]] = new Scored(predict(List.of(records.get(j))).get(0));
          } catch (InvalidInputException rowError) {
            verdicts[idx[j]] = new Rejected(rowError);
          }
        }
      }
      return encoded(new Done(c, verdicts, at));
    }

    /**
     * The records of a chunk's rows that could be read, their positions in {@code idx}; a row that
     * could not is rejected in {@code verdicts}. A method of its own so that {@link #scoreChunk},
     * called once a chunk, has no loop of its own for the JIT to compile it around.
     */
    private static List<Record> records(Chunk c, Verdict[] verdicts, int[] idx) {
      int n = c.rows().size();
      List<Record> records = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        RowSource.Row r = c.rows().get(i);
        if (r.error() != null) {
          verdicts[i] = new Rejected(r.error());
        } else {
          idx[records.size()] = i;
          records.add(r.record());
        }
      }
      return records;
    }

    /**
     * A chunk whose every row the model answered, written as CSV straight from the output columns:
     * the same bytes as the rows {@link #writeScored} makes, flattened and formatted by {@link
     * TextSink}. Null when the output names collide (the row map would merge them): then the
     * general path writes it.
     */
    private Done csvColumns(Chunk c, dev.slipway.serving.InferenceResult r, Instant at) {
      int n = c.rows().size();
      List<Tensor> outs = new ArrayList<>(r.outputs().values());
      int[] widths = new int[outs.size()];
      List<String> cols = new ArrayList<>();
      cols.add(job.keyColumn() == null ? ROW : job.keyColumn());
      List<String> names = new ArrayList<>(cols);
      for (int k = 0; k < outs.size(); k++) {
        Tensor t = outs.get(k);
        names.add(t.name());
        widths[k] = (int) (t.size() / n);
        if (widths[k] == 1) {
          cols.add(t.name());
        } else {
          for (int j = 0; j < widths[k]; j++) {
            cols.add(t.name() + "_" + j);
          }
        }
      }
      List<String> links = r.servedBy();
      if (links != null) {
        cols.add("served_by");
        names.add("served_by");
      }
      cols.add("model_version");
      cols.add("scored_at");
      names.add("model_version");
      names.add("scored_at");
      if (new java.util.HashSet<>(cols).size() != cols.size()
          || new java.util.HashSet<>(names).size() != names.size()) {
        return null;
      }
      CsvRows text =
          new CsvRows(
              c,
              outs,
              widths,
              links,
              CsvText.cellBytes(version),
              CsvText.cellBytes(at.toString()),
              new CsvText(n * 96));
      for (int i = 0; i < n; i++) {
        text.row(i);
      }
      return new Done(
          c,
          null,
          at,
          TextSink.Encoded.of(List.copyOf(cols), text.text(), n),
          TextSink.Encoded.NONE,
          n,
          0);
    }

    /**
     * One chunk's CSV lines, a row per call: the row is a method of its own, called for every row
     * of the job, so the JIT compiles it once, small, rather than again inside each compilation of
     * the chunk's loop. With {@code records} the same way: a 5M-row job 3.96 s against 4.25 s with
     * both loops written out (medians of six alternated runs, docs/BENCHMARKS.md 2026-12-07 fourth
     * session).
     */
    private final class CsvRows {
      private final Chunk c;
      private final List<Tensor> outs;
      private final int[] widths;
      private final List<String> links;
      private final byte[] versionCell;
      private final byte[] atCell;
      private final CsvText text;

      CsvRows(
          Chunk c,
          List<Tensor> outs,
          int[] widths,
          List<String> links,
          byte[] versionCell,
          byte[] atCell,
          CsvText text) {
        this.c = c;
        this.outs = outs;
        this.widths = widths;
        this.links = links;
        this.versionCell = versionCell;
        this.atCell = atCell;
        this.text = text;
      }

      CsvText text() {
        return text;
      }

      void row(int i) {
        long rowNo = c.firstRow() + i + 1;
        if (job.keyColumn() == null) {
          text.longCell(rowNo);
        } else {
          text.cell(key(c.rows().get(i), rowNo));
        }
        for (int k = 0; k < outs.size(); k++) {
          Tensor t = outs.get(k);
          int w = widths[k];
          if (t.data() instanceof float[] f) {
            for (int j = 0; j < w; j++) {
              text.floatCell(f[i * w + j]);
            }
          } else if (t.data() instanceof String[] strings) {
            for (int j = 0; j < w; j++) {
              text.repeatedCell(strings[i * w + j]);
            }
          } else {
            for (int j = 0; j < w; j++) {
              text.cell(t.get(i * w + j));
            }
          }
        }
        if (links != null) {
          text.cell(links.get(i));
        }
        text.rawCell(versionCell).rawCell(atCell).endLine();
      }
    }

    /** For text outputs: the chunk's rows formatted on this (worker) thread. */
    private Done encoded(Done d) {
      if (textOut == null) {
        return d;
      }
      List<RowSource.Row> rows = d.chunk().rows();
      List<Map<String, Object>> out = new ArrayList<>(rows.size());
      List<Map<String, Object>> rej = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        long rowNo = d.chunk().firstRow() + i + 1;
        Object key = key(rows.get(i), rowNo);
        Verdict v = d.verdicts()[i];
        if (v instanceof Scored s) {
          out.add(scoredRow(key, s.prediction(), d.scoredAt()));
        } else {
          rej.add(rejectedRow(key, rowNo, ((Rejected) v).error()));
        }
      }
      try {
        return new Done(
            d.chunk(),
            d.verdicts(),
            d.scoredAt(),
            TextSink.encode(textOut.format(), out),
            TextSink.encode(textRejects.format(), rej),
            out.size(),
            rej.size());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The predictions; for a guarded model each also says which link answered it. */
    private List<Prediction> predict(List<Record> records) {
      return predictions(pipeline.run(InferenceRequest.ofRecords(name, version, records)));
    }

    private List<Prediction> predictions(dev.slipway.serving.InferenceResult r) {
      List<Prediction> out = r.predictions();
      if (r.servedBy() == null) {
        return out;
      }
      List<Prediction> withLink = new ArrayList<>(out.size());
      for (int i = 0; i < out.size(); i++) {
        Map<String, Object> values = new java.util.LinkedHashMap<>(out.get(i).values());
        values.put("served_by", r.servedBy().get(i));
        withLink.add(new Prediction(values));
      }
      return withLink;
    }

    /** Writes a chunk's verdicts; returns {scored, rejected}. */
    private long[] write(Done d) throws IOException {
      long scored = 0;
      long rejected = 0;
      List<RowSource.Row> rows = d.chunk().rows();
      List<StoredPrediction> toStore = store == null ? null : new ArrayList<>(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        long rowNo = d.chunk().firstRow() + i + 1;
        Object key = key(rows.get(i), rowNo);
        Verdict v = d.verdicts()[i];
        if (toStore != null && v instanceof Scored s) {
          v = stored(key, s, d.scoredAt(), toStore);
        }
        if (v instanceof Scored s) {
          writeScored(key, s.prediction(), d.scoredAt());
          scored++;
        } else {
          InvalidInputException e = ((Rejected) v).error();
          writeRejected(key, rowNo, e);
          rejected++;
        }
      }
      if (toStore != null) {
        store.putAll(toStore);
      }
      return new long[] {scored, rejected};
    }

    /** Adds a scored row to the store's batch; a key that cannot be stored rejects the row. */
    private Verdict stored(
        Object key, Scored s, java.time.Instant at, List<StoredPrediction> toStore) {
      String k = PredictionStore.keyOf(key);
      if (k == null || k.isBlank() || k.length() > PredictionStore.MAX_KEY_LENGTH) {
        return new Rejected(
            InvalidInputException.of(
                job.keyColumn(),
                k == null ? "nothing" : k,
                "a non-blank key of at most "
                    + PredictionStore.MAX_KEY_LENGTH
                    + " characters to store the prediction by"));
      }
      toStore.add(new StoredPrediction(name, k, version, s.prediction().values(), at));
      return s;
    }

    private Object key(RowSource.Row row, long rowNo) {
      if (job.keyColumn() == null) {
        return rowNo;
      }
      return row.record() == null ? null : row.record().get(job.keyColumn());
    }

    private void writeScored(Object key, Prediction p, Instant at) throws IOException {
      target.output().write(scoredRow(key, p, at));
    }

    private Map<String, Object> scoredRow(Object key, Prediction p, Instant at) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put(job.keyColumn() == null ? ROW : job.keyColumn(), key);
      row.putAll(p.values());
      row.put("model_version", version);
      row.put("scored_at", at);
      return row;
    }

    private void writeRejected(Object key, long rowNo, InvalidInputException e) throws IOException {
      target.rejects().write(rejectedRow(key, rowNo, e));
    }

    private Map<String, Object> rejectedRow(Object key, long rowNo, InvalidInputException e) {
      String field = e.field();
      if (field.startsWith("records[0]")) {
        field = field.substring("records[0]".length());
        field = field.startsWith(".") ? field.substring(1) : field;
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("key", key);
      row.put("row", rowNo);
      row.put("field", field);
      row.put("reason", e.getMessage());
      return row;
    }

    /**
     * Makes everything written so far durable, then records it in the checkpoint. For text files
     * the forcing and the checkpoint's write are done on a committer thread while the writer goes
     * on (one at a time: the next commit waits for the one before); the checkpoint still follows
     * its rows' forcing, so it never claims rows that are not on disk.
     */
    private void commit(long rows, long scored, long rejected) throws IOException {
      if (textOut == null) {
        SinkState out = target.output().prepare();
        SinkState rej = target.rejects().prepare();
        cp =
            new Checkpoint(cp.model(), name, version, cp.input(), rows, scored, rejected, out, rej);
        target.commit(cp);
        return;
      }
      awaitCommit();
      SinkState out = textOut.flush();
      SinkState rej = textRejects.flush();
      Checkpoint next =
          new Checkpoint(cp.model(), name, version, cp.input(), rows, scored, rejected, out, rej);
      cp = next;
      if (committer == null) {
        committer =
            Executors.newSingleThreadExecutor(
                r -> {
                  Thread t = new Thread(r, "slipway-batch-commit");
                  t.setDaemon(true);
                  return t;
                });
      }
      pendingCommit =
          committer.submit(
              () -> {
                textOut.force();
                textRejects.force();
                target.commit(next);
                return null;
              });
    }

    /**
     * Whether no checkpoint is being saved. A checkpoint that falls due while the one before is
     * still being forced is put off to the next chunk rather than waited for: the writer never
     * waits for the disk, and a crash loses at most the rows since the last saved checkpoint, which
     * the resumed job scores again (each row still written once).
     */
    private boolean commitIdle() {
      return pendingCommit == null || pendingCommit.isDone();
    }

    /** Waits for the checkpoint being saved; its failure is the job's. */
    private void awaitCommit() throws IOException {
      Future<?> f = pendingCommit;
      if (f == null) {
        return;
      }
      pendingCommit = null;
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted; the job resumes from its checkpoint", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
  }
}
