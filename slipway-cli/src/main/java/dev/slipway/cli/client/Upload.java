package dev.slipway.cli.client;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model file to register as a new version. Immutable.
 *
 * @param name the model's name
 * @param file the model file
 * @param format the model format's short name, e.g. {@code onnx}
 * @param description free text, or {@code null} (then the manifest's description, if any)
 * @param sha256 the file's expected lowercase hex SHA-256, or {@code null} not to check
 * @param manifest a JSON manifest file (record preprocessing, description, optionally golden
 *     records), or {@code null}
 * @param golden a JSON golden-records file, or {@code null} to have them generated from the model's
 *     schema
 */
public record Upload(
    String name,
    Path file,
    String format,
    String description,
    String sha256,
    Path manifest,
    Path golden) {

  /** Whether the upload carries more than the file (and so goes as a form over HTTP). */
  public boolean hasDocuments() {
    return manifest != null || golden != null;
  }

  /** The lowercase hex SHA-256 of the file, read in a stream. */
  String fileSha256() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
