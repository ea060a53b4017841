package dev.slipway.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The durable progress of a job: every input row before {@code rows} has its verdict in the output
 * or the rejects, up to the sinks' states; anything after those is from chunks not yet committed
 * and is cut off on resume.
 *
 * @param model the model reference the job was started with
 * @param name the model name it resolved to
 * @param version the version it resolved to: a resumed job keeps scoring with it
 * @param input the input (an absolute file, or a table or query with the URL redacted)
 * @param output the output sink's state
 * @param rejects the rejects sink's state
 */
record Checkpoint(
    String model,
    String name,
    int version,
    String input,
    long rows,
    long scored,
    long rejected,
    SinkState output,
    SinkState rejects) {

  static final ObjectMapper JSON = new ObjectMapper();

  static Checkpoint read(Path file) {
    try {
      return JSON.readValue(file.toFile(), Checkpoint.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoint " + file, e);
    }
  }

  static Checkpoint parse(String json) {
    try {
      return JSON.readValue(json, Checkpoint.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoint " + json, e);
    }
  }

  String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes to a temporary file, forces it to disk and renames it over the old checkpoint. */
  void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    byte[] bytes = JSON.writeValueAsBytes(this);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
