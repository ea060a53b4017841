package dev.slipway.registry.artifact;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import java.nio.file.Path;

/**
 * Stores model files by content. The id of an artifact is the lowercase hex SHA-256 of its bytes
 * (64 characters); storing content that is already present returns the same id and is not an error.
 * Stored content is immutable.
 *
 * <p>Implementations are thread-safe: concurrent {@code put}s, including of the same content, and
 * reads may run from any number of threads. Every method that takes an id rejects one that is not
 * 64 lowercase hex characters with {@link InvalidInputException} naming the field {@code sha256}.
 * I/O failures surface as {@link java.io.UncheckedIOException}.
 */
public interface ArtifactStore {

  /**
   * Copies a file into the store. The file itself is left untouched.
   *
   * @return the lowercase hex SHA-256 of the file's content
   * @throws InvalidInputException naming {@code artifact} when the file is not a readable regular
   *     file
   */
  String put(Path file);

  /**
   * Stores the given bytes.
   *
   * @return the lowercase hex SHA-256 of the content
   */
  String put(byte[] content);

  /**
   * A local file holding the artifact's content, to be read and never written.
   *
   * @throws ModelNotFoundException when no artifact has this id
   */
  Path path(String sha256);

  /** Whether an artifact with this id is stored. */
  boolean contains(String sha256);

  /**
   * The size of the artifact in bytes.
   *
   * @throws ModelNotFoundException when no artifact has this id
   */
  long size(String sha256);
}
