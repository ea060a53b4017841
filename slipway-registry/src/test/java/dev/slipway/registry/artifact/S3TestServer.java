package dev.slipway.registry.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for tests: S3Proxy (Apache-2.0) with its in-memory blob store, in a
 * child JVM on a free loopback port, speaking the S3 REST protocol with AWS signatures. The build
 * copies {@code org.gaul:s3proxy:jar-with-dependencies} to {@code target/s3proxy/s3proxy.jar} (see
 * the module's pom) and passes its path in the system property {@code s3proxy.jar}; it is never on
 * the test classpath, so its own Jetty, jclouds and AWS SDK cannot clash with ours.
 *
 * <p>Start one per test class and {@link #close} it after; buckets live as long as the process.
 * Thread-safe.
 */
public final class S3TestServer implements AutoCloseable {
  public static final String ACCESS_KEY = "slipway-test";
  public static final String SECRET_KEY = "slipway-test-secret";
  public static final String REGION = "us-east-1";

  private static final Duration STARTUP = Duration.ofSeconds(90);

  private final Process process;
  private final URI endpoint;
  private final Path log;
  private final Thread killOnExit;

  private S3TestServer(Process process, URI endpoint, Path log) {
    this.process = process;
    this.endpoint = endpoint;
    this.log = log;
    // A test JVM that dies without closing must not leave the child running.
    this.killOnExit = new Thread(process::destroyForcibly, "s3proxy-kill");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /**
   * Starts S3Proxy and waits until it answers HTTP.
   *
   * @param workDir where its configuration and log go
   */
  public static S3TestServer start(Path workDir) {
    Path jar = jar();
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      URI endpoint = URI.create("http://127.0.0.1:" + port);
      Path dir = workDir.resolve("s3proxy-" + port);
      try {
        Files.createDirectories(dir);
        Path config =
            Files.writeString(
                dir.resolve("s3proxy.conf"),
                String.join(
                    "\n",
                    "s3proxy.endpoint=" + endpoint,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=transient-nio2",
                    "jclouds.identity=unused",
                    "jclouds.credential=unused",
                    ""));
        Path log = dir.resolve("s3proxy.log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p =
            new ProcessBuilder(
                    List.of(
                        java.toString(),
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        jar.toString(),
                        "--properties",
                        config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        S3TestServer server = new S3TestServer(p, endpoint, log);
        if (server.awaitReady()) {
          return server;
        }
        server.close();
        last = new IOException("S3Proxy did not start on port " + port + ":\n" + server.logTail());
      } catch (IOException e) {
        last = e;
      }
    }
    throw new UncheckedIOException("cannot start S3Proxy from " + jar, last);
  }

  /** The server's address, e.g. {@code http://127.0.0.1:40123}. */
  public URI endpoint() {
    return endpoint;
  }

  /** A new client for this server (path-style, test credentials); the caller closes it. */
  public S3Client client() {
    return client(ClientOverrideConfiguration.builder().build());
  }

  /** A new client for this server with the given overrides, e.g. execution interceptors. */
  public S3Client client(ClientOverrideConfiguration overrides) {
    return S3Client.builder()
        .httpClientBuilder(Apache5HttpClient.builder())
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(Region.of(REGION))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(overrides)
        .build();
  }

  /** Creates a bucket. */
  public void createBucket(String name) {
    try (S3Client c = client()) {
      c.createBucket(r -> r.bucket(name));
    }
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private boolean awaitReady() {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return false;
      }
      try {
        HttpURLConnection c = (HttpURLConnection) endpoint.toURL().openConnection();
        c.setConnectTimeout(1000);
        c.setReadTimeout(5000);
        try {
          // Any S3 answer (403 for an anonymous request) means the server is up.
          if (c.getResponseCode() > 0) {
            return true;
          }
        } finally {
          c.disconnect();
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private String logTail() {
    try {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      return text.substring(Math.max(0, text.length() - 4000));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static Path jar() {
    String configured = System.getProperty("s3proxy.jar");
    Path jar =
        configured != null ? Path.of(configured) : Path.of("target", "s3proxy", "s3proxy.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "S3Proxy is not at "
              + jar.toAbsolutePath()
              + ". The Maven build copies it there (maven-dependency-plugin, execution 's3proxy',"
              + " phase generate-test-resources): run the tests with mvn, or run `mvn"
              + " generate-test-resources` in this module once.");
    }
    return jar;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}
