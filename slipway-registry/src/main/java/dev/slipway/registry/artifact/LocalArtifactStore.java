package dev.slipway.registry.artifact;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * An {@link ArtifactStore} on the local file system. Content lives at {@code <root>/sha256/<first
 * two hex chars>/<64 hex chars>}.
 *
 * <p>A {@code put} streams the content into a temporary file under {@code <root>/sha256/} while
 * hashing it (one pass, so large models are read once), forces it to disk and then renames it into
 * place with an atomic move. Readers therefore see either no file or the complete file, never a
 * partial one, and a crash leaves at most a stray temporary file. The temporary file is in the same
 * file system as its target but not in the same directory, because that directory is only known
 * once the content is hashed.
 *
 * <p>Thread-safe without locks: concurrent puts of the same content both rename complete, identical
 * files onto the same name, and either outcome is correct.
 */
public final class LocalArtifactStore implements ArtifactStore {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final String TEMP_PREFIX = ".incoming-";
  private static final int BUFFER_SIZE = 1 << 16;

  private final Path objects;

  /**
   * Opens (and creates if needed) a store rooted at the given directory.
   *
   * @throws UncheckedIOException when the directory cannot be created
   */
  public LocalArtifactStore(Path root) {
    this.objects = root.toAbsolutePath().normalize().resolve("sha256");
    try {
      Files.createDirectories(objects);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create artifact store at " + objects, e);
    }
  }

  @Override
  public String put(Path file) {
    if (file == null) {
      throw InvalidInputException.missing("artifact", "the path of a model file");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw InvalidInputException.of("artifact", file.toString(), "a readable regular file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return store(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store artifact " + file, e);
    }
  }

  @Override
  public String put(byte[] content) {
    if (content == null) {
      throw InvalidInputException.missing("content", "the bytes of a model file");
    }
    try {
      return store(new ByteArrayInputStream(content));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store artifact", e);
    }
  }

  @Override
  public Path path(String sha256) {
    Path p = locate(sha256);
    if (!Files.isRegularFile(p)) {
      throw notFound(sha256);
    }
    return p;
  }

  @Override
  public boolean contains(String sha256) {
    return Files.isRegularFile(locate(sha256));
  }

  @Override
  public long size(String sha256) {
    Path p = path(sha256);
    try {
      return Files.size(p);
    } catch (NoSuchFileException e) {
      throw notFound(sha256);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read size of artifact " + sha256, e);
    }
  }

  @Override
  public String toString() {
    return "LocalArtifactStore[" + objects.getParent() + "]";
  }

  private String store(InputStream in) throws IOException {
    // Created with the process umask (not createTempFile's owner-only mode) so that the stored
    // artifact is as readable as any other file the process writes.
    Path temp = objects.resolve(TEMP_PREFIX + UUID.randomUUID() + ".tmp");
    try {
      MessageDigest digest = sha256();
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        byte[] buffer = new byte[BUFFER_SIZE];
        int n;
        while ((n = in.read(buffer)) > 0) {
          digest.update(buffer, 0, n);
          ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
          while (chunk.hasRemaining()) {
            channel.write(chunk);
          }
        }
        channel.force(true);
      }
      String id = HexFormat.of().formatHex(digest.digest());
      Path target = locate(id);
      if (!Files.isRegularFile(target)) {
        Files.createDirectories(target.getParent());
        moveIntoPlace(temp, target);
      }
      return id;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void moveIntoPlace(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      // Another thread or process stored the same content first; its file is identical.
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("file system of " + target + " does not support atomic moves", e);
    }
  }

  private Path locate(String sha256) {
    if (sha256 == null) {
      throw InvalidInputException.missing("sha256", "64 lowercase hex characters");
    }
    if (!SHA256.matcher(sha256).matches()) {
      throw InvalidInputException.of("sha256", sha256, "64 lowercase hex characters");
    }
    return objects.resolve(sha256.substring(0, 2)).resolve(sha256);
  }

  private static ModelNotFoundException notFound(String sha256) {
    return new ModelNotFoundException("no artifact with sha256 " + sha256 + " is stored");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}
