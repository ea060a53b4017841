package dev.slipway.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.api.ConflictException;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.api.SlipwayException;
import dev.slipway.batch.BatchJob;
import dev.slipway.batch.BatchSummary;
import dev.slipway.batch.DataFormat;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.serving.guard.Guards;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ServedModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a {@link BatchJob} on Spark and writes what the embedded {@link
 * dev.slipway.batch.BatchEngine} writes: the same output columns and values, the same rejects with
 * the same reasons.
 *
 * <p>The driver opens the registry of the Slipway home once, pins the version the model reference
 * names and the version each model link of its guards' fallback chain names, checks the input's
 * columns against its schema (as the engine does), and broadcasts those versions' artifacts,
 * manifests and data profiles (and the primary version's filtering model when the guards consult
 * it). Executors never open the metadata database: each JVM builds one {@link
 * dev.slipway.serving.Pipeline} from the broadcast and scores its partitions with it, guarded as
 * {@link SparkGuards} says (the guards of a {@code slipway.yaml} travel with the tasks and are
 * built on each executor as the server builds them). The input is read as lines ({@code textFile});
 * each line is typed by the engine's own code, so a CSV row must be one line (no line breaks inside
 * quoted cells).
 *
 * <p>Output: {@code <output>} becomes a directory of part files in input order ({@code
 * part-00000.csv}, ...; each CSV part with its header), {@code <rejects>} likewise, or with {@link
 * Layout#SINGLE_FILE} one file each, as the engine writes them. The parts are written to {@code
 * <output>.parts} and renamed only when the job is complete, so an output under its final name is
 * always a finished job's; {@code <output>.summary.json} holds the summary (with {@code
 * fallback_models}: the version each fallback link was pinned to). A failed job is run again from
 * the start (Spark re-runs failed tasks; there is no checkpoint).
 *
 * <p>Paths are local paths that the driver and every executor see at the same place (one machine,
 * or a shared mount). Thread-safe: runs are independent; run jobs with different outputs.
 */
public final class SparkRunner {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SparkRunner.class);

  /** How the output is laid out. */
  public enum Layout {
    /** A directory of part files, Spark's way. */
    DIRECTORY,
    /** One file, the parts joined in input order: byte for byte comparable with the engine's. */
    SINGLE_FILE
  }

  private final java.util.function.Supplier<JavaSparkContext> spark;
  private final Path home;
  private final SparkGuards guarding;
  private final Clock clock;

  /**
   * @param home the Slipway home whose registry holds the model (opened on the driver only)
   * @param guarding the guards the model is served with
   * @param clock the source of {@code scored_at}; shipped to the executors, so it must be
   *     serializable ({@link Clock#systemUTC()} and {@link Clock#fixed} are)
   */
  public SparkRunner(JavaSparkContext spark, Path home, Guarding guarding, Clock clock) {
    this(() -> spark, home, SparkGuards.of(guarding), clock);
  }

  /**
   * A runner serving the model with guards of a {@code slipway.yaml} ({@link
   * SparkGuards#fromConfig}), or those of a {@link Guarding}.
   */
  public SparkRunner(JavaSparkContext spark, Path home, SparkGuards guarding, Clock clock) {
    this(() -> spark, home, guarding, clock);
  }

  /**
   * A runner that asks for its Spark context only once a job has passed the driver's checks (the
   * input is there, the model exists, the columns match), so that a bad job fails fast without
   * starting Spark.
   */
  public SparkRunner(
      java.util.function.Supplier<JavaSparkContext> spark,
      Path home,
      SparkGuards guarding,
      Clock clock) {
    this.spark = spark;
    this.home = home;
    this.guarding = guarding;
    this.clock = clock;
  }

  /**
   * Runs a job to the end. Of the job's settings, the parallelism and checkpoint interval are
   * Spark's business and are not used; {@code partitions} sets how many pieces the input is split
   * into (at least; 0 for Spark's default parallelism).
   *
   * @throws InvalidInputException when the input is missing or unreadable, or lacks a column the
   *     model needs or the key column, or a CSV line cannot be parsed
   * @throws InvalidInputException when a model link of the guards' fallback chain names no
   *     registered version, naming its key and the link; before Spark starts
   * @throws ModelNotFoundException when the model reference names nothing
   * @throws ConflictException when the output exists already
   */
  public BatchSummary run(BatchJob job, Layout layout, int partitions) {
    long started = System.nanoTime();
    if (Files.exists(job.output())) {
      throw new ConflictException(
          "output "
              + job.output()
              + " exists: it is a finished job's; remove it (and its .summary.json) or choose"
              + " another output");
    }
    if (!Files.isRegularFile(job.input())) {
      throw InvalidInputException.of(
          "input", job.input().toString(), "an existing " + describe(job.inputFormat()) + " file");
    }
    Path input = job.input().toAbsolutePath().normalize();
    String first = firstLine(input, job.inputFormat());
    List<String> header = null;
    if (job.inputFormat() == DataFormat.CSV) {
      if (first == null) {
        throw InvalidInputException.of(
            "input", input.toString(), describe(DataFormat.CSV) + " (no header row)");
      }
      header = InputRows.csvHeader(input.toString(), first);
    } else if (first != null) {
      InputRows.checkFirstJsonLine(input.toString(), first);
    }
    Pinned pinned = pin(job, header == null ? null : InputRows.trimmed(header));
    ModelBundle bundle = pinned.models().primary();

    Path outParts = sibling(job.output(), ".parts");
    Path rejParts = sibling(job.rejects(), ".parts");
    deleteTree(outParts);
    deleteTree(rejParts);
    PartitionSettings settings =
        new PartitionSettings(
            input.toString(),
            job.inputFormat(),
            header,
            job.outputFormat(),
            job.keyColumn(),
            job.chunkSize(),
            guarding,
            clock,
            outParts.toAbsolutePath().toString(),
            rejParts.toAbsolutePath().toString());
    JavaSparkContext sc = spark.get();
    Broadcast<byte[]> model = sc.broadcast(pinned.models().toBytes());
    long[] total = {0, 0, 0};
    try {
      JavaRDD<String> lines =
          sc.textFile(
              input.toUri().toString(), partitions > 0 ? partitions : sc.defaultParallelism());
      JavaPairRDD<String, Long> indexed;
      if (header != null) {
        indexed = lines.zipWithIndex().filter(t -> t._2() > 0); // index 0: the header
      } else {
        indexed = lines.filter(l -> !l.isBlank()).zipWithIndex();
      }
      List<PartitionScorer.Result> results =
          indexed
              .mapPartitionsWithIndex(new PartitionScorer(model, pinned.models(), settings), false)
              .collect();
      for (PartitionScorer.Result r : results) {
        SlipwayException error = r.error();
        if (error != null) {
          throw error; // the first partition's: the error nearest the input's start
        }
        total[0] += r.rows();
        total[1] += r.scored();
        total[2] += r.rejected();
      }
    } catch (RuntimeException e) {
      deleteTree(outParts);
      deleteTree(rejParts);
      throw e;
    } finally {
      model.destroy();
    }
    try {
      BatchSummary summary =
          new BatchSummary(
              bundle.name(),
              bundle.version(),
              total[0],
              total[1],
              total[2],
              (System.nanoTime() - started) / 1_000_000,
              0,
              true);
      Path tmp = sibling(job.summaryFile(), ".tmp");
      ObjectNode written = JSON.valueToTree(summary);
      if (!pinned.links().isEmpty()) {
        // which version each model link of the fallback chain answered with, as pinned at start
        written.set("fallback_models", JSON.valueToTree(pinned.links()));
      }
      Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(written));
      Files.move(tmp, job.summaryFile(), StandardCopyOption.REPLACE_EXISTING);
      // as in the engine: the summary, then the rejects, then the output's final name last
      finish(job, layout, outParts, rejParts);
      return summary;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The models of a job and how the driver resolved its fallback links (link to name/version). */
  private record Pinned(JobModels models, Map<String, String> links) {}

  /**
   * Resolves the job's reference and every model link of its fallback chain once, checks the
   * input's columns and reads the versions' files.
   */
  private Pinned pin(BatchJob job, List<String> header) {
    try (ModelRegistry registry = ModelRegistry.embedded(home);
        ModelHost host = new ModelHost(registry, ModelFormat.LoadOptions.defaults())) {
      Function<String, ModelVersion> resolver = ModelHost.defaultResolver(registry);
      ModelVersion v = resolver.apply(job.model());
      // the links as the executors' guards will ask for them, pinned now: an alias that moves
      // while the job runs must not make two executors answer with different versions
      TreeMap<String, String> routes = new TreeMap<>();
      Map<String, String> links = new LinkedHashMap<>();
      Map<String, ModelVersion> others = new LinkedHashMap<>();
      for (Map.Entry<String, String> link : guarding.fallbackModels(v.name()).entrySet()) {
        String ref = Guards.linkReference(link.getValue());
        ModelVersion target;
        try {
          target = resolver.apply(ref);
        } catch (ModelNotFoundException e) {
          throw InvalidInputException.of(
              link.getKey(),
              link.getValue(),
              "a model reference that resolves in the registry of "
                  + home
                  + " ("
                  + e.getMessage()
                  + ")");
        }
        String pinned = ModelHost.ref(target.name(), target.version());
        routes.put(ref, pinned);
        links.put(link.getValue(), pinned);
        if (target.version() != v.version() || !target.name().equals(v.name())) {
          others.putIfAbsent(pinned, target);
        }
      }
      ServedModel served = host.load(v.name(), v.version());
      // the engine's check and messages; the input named as the job gives it
      dev.slipway.batch.BatchEngine.checkColumns(job, served, header, job.input().toString());
      ArrayList<ModelBundle> bundles = new ArrayList<>();
      for (ModelVersion o : others.values()) {
        bundles.add(ModelBundle.of(registry, o, false));
      }
      ModelBundle primary = ModelBundle.of(registry, v, guarding.hasFallback(v.name()));
      if (!links.isEmpty()) {
        log.info("{}/{}: fallback links resolved to {}", v.name(), v.version(), links);
      }
      return new Pinned(new JobModels(primary, bundles, routes), links);
    }
  }

  private static void finish(BatchJob job, Layout layout, Path outParts, Path rejParts)
      throws IOException {
    if (layout == Layout.SINGLE_FILE) {
      Path rejTmp = sibling(job.rejects(), ".tmp");
      PartFiles.merge(rejParts, rejTmp, job.outputFormat());
      if (job.outputFormat() == DataFormat.CSV && Files.size(rejTmp) == 0) {
        Files.writeString(rejTmp, "key,row,field,reason\n"); // no parts: the engine's header
      }
      Path outTmp = sibling(job.output(), ".tmp");
      PartFiles.merge(outParts, outTmp, job.outputFormat());
      Files.move(rejTmp, job.rejects(), StandardCopyOption.REPLACE_EXISTING);
      // the output's final name is the mark of a finished job: it comes last
      Files.move(outTmp, job.output(), StandardCopyOption.ATOMIC_MOVE);
      deleteTree(outParts);
      deleteTree(rejParts);
    } else {
      deleteTree(job.rejects());
      Files.move(rejParts, job.rejects());
      Files.move(outParts, job.output(), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** The first (non-blank, for JSON Lines) line of a file, or null for an empty file. */
  private static String firstLine(Path file, DataFormat format) {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      do {
        line = r.readLine();
      } while (line != null && format == DataFormat.JSONL && line.isBlank());
      return line;
    } catch (IOException e) {
      throw InvalidInputException.of(
          "input", file.toString(), "a readable file (" + e.getMessage() + ")");
    }
  }

  static String describe(DataFormat f) {
    return f == DataFormat.CSV ? "CSV (with a header row)" : "JSON Lines (one object per line)";
  }

  private static Path sibling(Path p, String suffix) {
    return p.resolveSibling(p.getFileName() + suffix);
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + p, e);
    }
  }

  /**
   * {@code spark-submit --class dev.slipway.spark.SparkRunner slipway-spark.jar --model ... --input
   * ... --output ...}: the options of {@code slipway batch score} (among them {@code --config}),
   * plus {@code --guard}, {@code --partitions} and {@code --single-file}. Without a master set (by
   * spark-submit or {@code -Dspark.master}) it runs on {@code local[*]}. Prints the summary and the
   * rows per second; exits 2 with one line for a bad job.
   */
  public static void main(String[] args) {
    System.exit(
        Command.execute(
            args,
            new java.io.PrintWriter(System.out, true, StandardCharsets.UTF_8),
            new java.io.PrintWriter(System.err, true, StandardCharsets.UTF_8)));
  }

  /** The command line of {@link #main}. */
  @picocli.CommandLine.Command(
      name = "slipway-spark",
      mixinStandardHelpOptions = true,
      description =
          "Score a CSV or JSON Lines file on Spark through the same pipeline as slipway batch"
              + " score; the output is a directory of part files in input order.")
  static final class Command implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Option(
        names = "--model",
        required = true,
        description = "name, name@alias or name/version")
    String model;

    @picocli.CommandLine.Option(
        names = "--input",
        required = true,
        description = "the data set (.csv or .jsonl)")
    Path input;

    @picocli.CommandLine.Option(
        names = "--output",
        required = true,
        description = "where scored rows go (a directory of part files)")
    Path output;

    @picocli.CommandLine.Option(
        names = "--rejects",
        description = "where rejected rows go (default: <output stem>.rejects.<format>)")
    Path rejects;

    @picocli.CommandLine.Option(
        names = "--format",
        description = "csv or jsonl, for input and output (default: from the file extensions)")
    String format;

    @picocli.CommandLine.Option(
        names = "--key",
        description = "the input column identifying a row (default: row number)")
    String key;

    @picocli.CommandLine.Option(
        names = "--chunk",
        defaultValue = "" + dev.slipway.batch.BatchJob.DEFAULT_CHUNK,
        description = "rows per pipeline call (default: ${DEFAULT-VALUE})")
    int chunk;

    @picocli.CommandLine.Option(
        names = "--home",
        defaultValue = "${env:SLIPWAY_HOME:-slipway-home}",
        description =
            "Slipway home holding the model (default: ${DEFAULT-VALUE}); read on the driver only")
    Path home;

    @picocli.CommandLine.Option(
        names = "--guard",
        description =
            "none (the default), or reject: input checks that reject, narrowed by the version's"
                + " data profile; not with --config")
    String guard;

    @picocli.CommandLine.Option(
        names = "--config",
        description =
            "a slipway.yaml: the model's guards (models.<name>.guards) apply as in slipway batch"
                + " score --config: input policies, output checks, the heuristic,"
                + " fallback models (pinned at start) and the version's filtering model; not with"
                + " --guard")
    Path config;

    @picocli.CommandLine.Option(
        names = "--partitions",
        description =
            "split the input into at least this many partitions (default: Spark's parallelism)")
    Integer partitions;

    @picocli.CommandLine.Option(
        names = "--single-file",
        description =
            "join the parts into one output file and one rejects file, as the embedded engine writes them")
    boolean singleFile;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    static int execute(String[] args, java.io.PrintWriter out, java.io.PrintWriter err) {
      picocli.CommandLine cl = new picocli.CommandLine(new Command());
      cl.setOut(out);
      cl.setErr(err);
      cl.setExecutionExceptionHandler(
          (e, line, parsed) -> {
            if (e instanceof SlipwayException) {
              line.getErr().println("slipway-spark: " + e.getMessage());
              line.getErr().flush();
              return 2;
            }
            throw e;
          });
      return cl.execute(args);
    }

    @Override
    public Integer call() {
      BatchJob job = job();
      SparkGuards g = guards();
      SparkConf conf = new SparkConf().setAppName("slipway score " + model);
      if (!conf.contains("spark.master")) {
        conf.setMaster("local[*]");
      }
      SparkSession[] session = {null};
      long[] startNanos = {0};
      try {
        BatchSummary s =
            new SparkRunner(
                    () -> {
                      long t0 = System.nanoTime();
                      session[0] = SparkSession.builder().config(conf).getOrCreate();
                      startNanos[0] = System.nanoTime() - t0;
                      return JavaSparkContext.fromSparkContext(session[0].sparkContext());
                    },
                    home,
                    g,
                    Clock.systemUTC())
                .run(
                    job,
                    singleFile ? Layout.SINGLE_FILE : Layout.DIRECTORY,
                    partitions == null ? 0 : partitions);
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.println(
            String.format(
                java.util.Locale.ROOT,
                "Scored %d of %d rows with %s/%d in %.1f s (%.0f rows/s): %s (%d rejected: %s)",
                s.scored(),
                s.rowsIn(),
                s.model(),
                s.modelVersion(),
                s.durationMillis() / 1000.0,
                s.rowsIn() * 1000.0 / Math.max(1, s.durationMillis()),
                job.output(),
                s.rejected(),
                job.rejects()));
        out.println(
            String.format(
                java.util.Locale.ROOT,
                "(of which %.1f s starting Spark on %s)",
                startNanos[0] / 1e9,
                conf.get("spark.master")));
        out.flush();
        return 0;
      } finally {
        if (session[0] != null) {
          session[0].stop();
        }
      }
    }

    /** The guards of --config, or of --guard: both together are refused, not ranked. */
    private SparkGuards guards() {
      if (config != null) {
        if (guard != null) {
          throw InvalidInputException.of(
              "--guard",
              guard,
              "no --guard with --config: the guards are the config's models.<name>.guards");
        }
        return SparkGuards.fromConfig(config);
      }
      try {
        return SparkGuards.of(
            guard == null
                ? Guarding.NONE
                : Guarding.valueOf(guard.toUpperCase(java.util.Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw InvalidInputException.of("--guard", guard, "none or reject");
      }
    }

    private BatchJob job() {
      int maxRecords = dev.slipway.serving.Pipeline.Limits.defaults().maxRecords();
      if (chunk < 1 || chunk > maxRecords) {
        // each chunk is one call of the executors' pipeline, which takes at most maxRecords
        throw InvalidInputException.of(
            "--chunk", String.valueOf(chunk), "1 to " + maxRecords + " rows per pipeline call");
      }
      BatchJob job;
      if (format != null) {
        DataFormat f = DataFormat.parse(format, "--format");
        job = BatchJob.of(model, input, f, output, f);
      } else {
        job = BatchJob.of(model, input, output);
      }
      if (rejects != null) {
        job = job.withRejects(rejects);
      }
      if (key != null) {
        job = job.withKey(key);
      }
      return job.withChunking(chunk, 1, job.checkpointEvery());
    }
  }
}
