package dev.slipway.spark;

import dev.slipway.batch.DataFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Joins a directory of part files into one file in partition order, which is input order: a CSV
 * keeps the header of its first part that has one and drops the others (every part of a CSV
 * directory is a CSV file with its header). Stateless; thread-safe.
 */
public final class PartFiles {
  private PartFiles() {}

  /** The part files of a directory, in partition order. */
  public static List<Path> parts(Path dir) throws IOException {
    List<Path> parts = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "part-*")) {
      s.forEach(parts::add);
    }
    parts.sort(null); // part-00000, part-00001, ...: fixed width, so names sort in order
    return parts;
  }

  /**
   * Writes the parts of {@code dir} into {@code file}, one after the other.
   *
   * @param format CSV parts each start with the same header, which the file holds once
   * @throws IllegalStateException when two CSV parts have different headers
   */
  public static void merge(Path dir, Path file, DataFormat format) throws IOException {
    byte[] header = null;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      for (Path part : parts(dir)) {
        try (InputStream in = Files.newInputStream(part)) {
          if (format == DataFormat.CSV) {
            byte[] h = firstLine(in);
            if (h.length == 0) {
              continue; // an empty part: no rows, so no header
            }
            if (header == null) {
              header = h;
              out.write(h);
            } else if (!Arrays.equals(header, h)) {
              throw new IllegalStateException(
                  part + " has another header than the parts before it; cannot write one CSV");
            }
          }
          in.transferTo(out);
        }
      }
    }
  }

  /** The bytes up to and including the first '\n' (all of them when there is none). */
  private static byte[] firstLine(InputStream in) throws IOException {
    java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      line.write(b);
      if (b == '\n') {
        break;
      }
    }
    return line.toByteArray();
  }
}
