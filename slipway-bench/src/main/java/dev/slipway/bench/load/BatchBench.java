package dev.slipway.bench.load;

import dev.slipway.api.Record;
import dev.slipway.batch.BatchEngine;
import dev.slipway.batch.BatchJob;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.train.data.AdClickGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The steps of {@code run-batch-bench.sh} that need Java:
 *
 * <ul>
 *   <li>{@code generate <file.csv> <rows> <seed>}: ad-click features (no label) as CSV, streamed in
 *       blocks of 100,000 rows (block {@code b} is seed {@code seed + b}), so memory stays flat
 *   <li>{@code parse <file.csv>}: reads every row into records with the batch engine's reader and
 *       prints {@code rows seconds rows/s}
 *   <li>{@code register <home>}: registers the demo model (seed 42) in a new Slipway home
 * </ul>
 */
public final class BatchBench {
  private static final int BLOCK = 100_000;

  private BatchBench() {}

  public static void main(String[] args) throws Exception {
    switch (args.length == 0 ? "" : args[0]) {
      case "generate":
        generate(Path.of(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]));
        break;
      case "parse":
        Path in = Path.of(args[1]);
        long t0 = System.nanoTime();
        long n = BatchEngine.parseOnly(BatchJob.of("unused", in, in.resolveSibling("unused.csv")));
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%d %.3f %.0f%n", n, s, n / s);
        break;
      case "register":
        try (ModelRegistry registry = ModelRegistry.embedded(Path.of(args[1]))) {
          DemoModel.register(registry, 42, 3_000);
        }
        break;
      default:
        System.err.println(
            "usage: BatchBench generate <csv> <rows> <seed> | parse <csv> | register <home>");
        System.exit(2);
    }
  }

  private static void generate(Path file, long rows, long seed) throws IOException {
    List<String> columns = null;
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (long done = 0, block = 0; done < rows; block++) {
        int n = (int) Math.min(BLOCK, rows - done);
        List<Record> records = new AdClickGenerator(seed + block).generate(n);
        if (columns == null) {
          columns = new ArrayList<>(records.get(0).names());
          columns.remove(AdClickGenerator.LABEL);
          out.write(String.join(",", columns));
          out.write('\n');
        }
        for (Record r : records) {
          for (int c = 0; c < columns.size(); c++) {
            if (c > 0) {
              out.write(',');
            }
            out.write(String.valueOf(r.get(columns.get(c))));
          }
          out.write('\n');
        }
        done += n;
      }
    }
  }
}
