package dev.slipway.runtime.lightgbm;

import com.microsoft.ml.lightgbm.lightgbmlib;
import dev.slipway.api.ModelFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Loads LightGBM's native libraries (the ones lightgbm4j ships as resources) once per JVM, from a
 * private copy, and proves the JNI bindings work before anything else touches them.
 *
 * <p>Why not lightgbm4j's own {@code LGBMBooster.loadNative()}:
 *
 * <ul>
 *   <li>It writes the libraries to fixed names in {@code java.io.tmpdir} ({@code
 *       /tmp/lib_lightgbm.so}) in every JVM, truncating and rewriting the file while other JVMs on
 *       the machine have it mapped. Truncation throws away those processes' relocated pages: they
 *       crash with SIGSEGV on their next call or at exit (seen when a second JVM started while a
 *       first one served a model). Here every JVM loads its own copy from a fresh directory and
 *       unlinks it at once (on Linux and macOS a loaded library needs no file).
 *   <li>It does not always say when it fails: on an unsupported platform it loads nothing and
 *       returns, and when {@code LIGHTGBM_NATIVE_LIB_PATH} names a missing library it logs the
 *       error and returns. The first JNI call then throws an {@link UnsatisfiedLinkError} deep in a
 *       load; if that call is the static initialiser of {@code lightgbmlibConstants} (whose every
 *       constant is read through JNI), the class stays unusable for the JVM's life.
 * </ul>
 *
 * <p>If the bindings already work (another part of the process loaded LightGBM, e.g. training code
 * using lightgbm4j), that library is used: loading a second copy would split LightGBM's state.
 * {@code LIGHTGBM_NATIVE_LIB_PATH}, when set, names a directory holding {@code lib_lightgbm} and
 * {@code lib_lightgbm_swig} to load instead (as in lightgbm4j, e.g. for musl-based Linux).
 *
 * <p>Thread-safe.
 */
final class NativeLibrary {
  private static final String ENV_PATH = "LIGHTGBM_NATIVE_LIB_PATH";
  private static final Object LOCK = new Object();
  private static volatile boolean loaded;

  private NativeLibrary() {}

  /**
   * Makes sure LightGBM's native library is loaded and its JNI bindings work; returns at once after
   * the first success.
   *
   * @throws ModelFailureException naming the platform and the cause when it cannot be loaded
   */
  static void load() {
    if (loaded) {
      return;
    }
    synchronized (LOCK) {
      if (loaded) {
        return;
      }
      try {
        if (!bound()) {
          loadCopy();
          lightgbmlib.LGBM_GetLastError(); // a plain JNI call that initialises no other class
        }
        loaded = true;
      } catch (IOException | LinkageError e) {
        throw new ModelFailureException(failure(e), e);
      }
    }
  }

  /** Whether LightGBM's JNI bindings already work in this process. */
  private static boolean bound() {
    try {
      lightgbmlib.LGBM_GetLastError();
      return true;
    } catch (UnsatisfiedLinkError notYet) {
      return false; // HotSpot does not cache a failed native lookup: the call works once loaded
    }
  }

  private static void loadCopy() throws IOException {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String ext = os.startsWith("windows") ? ".dll" : os.startsWith("mac") ? ".dylib" : ".so";
    String env = System.getenv(ENV_PATH);
    if (env != null && !env.isBlank()) {
      System.load(Path.of(env, "lib_lightgbm" + ext).toAbsolutePath().toString());
      System.load(Path.of(env, "lib_lightgbm_swig" + ext).toAbsolutePath().toString());
      return;
    }
    String resources = resourceDir(os, arch);
    if (resources == null) {
      throw new UnsatisfiedLinkError(
          "lightgbm4j ships no native library for this platform (it has Linux and macOS"
              + " x86_64/aarch64 and Windows x86_64); set "
              + ENV_PATH
              + " to a directory holding lib_lightgbm and lib_lightgbm_swig built for it");
    }
    Path dir = Files.createTempDirectory("slipway-lightgbm-");
    try {
      // The core first: the bindings library needs it, found by its soname once loaded.
      for (String name : new String[] {"lib_lightgbm" + ext, "lib_lightgbm_swig" + ext}) {
        Path file = dir.resolve(name);
        try (InputStream in =
            NativeLibrary.class.getClassLoader().getResourceAsStream(resources + name)) {
          if (in == null) {
            throw new UnsatisfiedLinkError(
                "resource " + resources + name + " is missing from the class path");
          }
          Files.copy(in, file);
        }
        System.load(file.toString());
      }
    } finally {
      deleteOrLater(dir);
    }
  }

  private static String resourceDir(String os, String arch) {
    String cpu =
        arch.equals("amd64") || arch.equals("x86_64")
            ? "x86_64"
            : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : null;
    if (cpu == null) {
      return null;
    }
    if (os.startsWith("linux")) {
      return "lightgbm4j/linux/" + cpu + "/";
    }
    if (os.startsWith("mac")) {
      return "lightgbm4j/osx/" + cpu + "/";
    }
    if (os.startsWith("windows") && cpu.equals("x86_64")) {
      return "lightgbm4j/windows/x86_64/";
    }
    return null;
  }

  /** Loaded libraries need no file on Linux or macOS; Windows keeps them locked until exit. */
  private static void deleteOrLater(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        try {
          Files.delete(f);
        } catch (IOException e) {
          f.toFile().deleteOnExit();
        }
      }
      Files.delete(dir);
    } catch (IOException e) {
      dir.toFile().deleteOnExit();
    }
  }

  private static String failure(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason = root.toString();
    String hint =
        reason.contains("libgomp") ? " (install the OpenMP runtime, e.g. Debian's libgomp1)" : "";
    return "LightGBM's native library cannot be loaded on "
        + System.getProperty("os.name")
        + "/"
        + System.getProperty("os.arch")
        + ": "
        + reason
        + hint;
  }
}
