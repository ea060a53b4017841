package dev.slipway.registry.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.ModelUnavailableException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The {@link ArtifactStore} contract, and what is particular to S3, against a real S3-compatible
 * server ({@link S3TestServer}). Each test works under its own key prefix with its own caches.
 */
class S3ArtifactStoreTest extends ArtifactStoreContract {
  static final String BUCKET = "slipway-artifacts";

  @TempDir static Path serverDir;
  static S3TestServer server;
  static S3Client raw;

  @TempDir Path caches;
  final Requests requests = new Requests();
  S3Client client;
  String prefix;

  @BeforeAll
  static void startServer() {
    server = S3TestServer.start(serverDir);
    server.createBucket(BUCKET);
    raw = server.client();
  }

  @AfterAll
  static void stopServer() {
    if (raw != null) {
      raw.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected ArtifactStore newStore() {
    prefix = "t-" + UUID.randomUUID() + "/";
    client =
        server.client(
            ClientOverrideConfiguration.builder().addExecutionInterceptor(requests).build());
    return new S3ArtifactStore(client, BUCKET, prefix, caches.resolve("cache"));
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  /** Another process on the same bucket and prefix: same requests counted, its own cache. */
  S3ArtifactStore elsewhere(String name) {
    return new S3ArtifactStore(client, BUCKET, prefix, caches.resolve(name));
  }

  String key(String sha256) {
    return prefix + "sha256/" + sha256.substring(0, 2) + "/" + sha256;
  }

  List<String> keysInBucket() {
    return raw.listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(prefix)).contents().stream()
        .map(S3Object::key)
        .toList();
  }

  @Test
  void objectsAreKeyedByPrefixThenSha256ThenTheFirstTwoHexCharacters() {
    store.put("abc".getBytes(StandardCharsets.US_ASCII));

    assertThat(keysInBucket()).containsExactly(prefix + "sha256/ba/" + ABC_SHA256);
    assertThat(raw.headObject(r -> r.bucket(BUCKET).key(key(ABC_SHA256))).contentLength())
        .isEqualTo(3);
  }

  @Test
  void contentAlreadyInTheBucketIsNotUploadedAgain() throws Exception {
    byte[] content = bytes(150_000, 5);
    Path file = Files.write(scratch.resolve("m.onnx"), content);

    String id = store.put(content);
    store.put(file);
    elsewhere("other-cache").put(content);

    assertThat(requests.count(PutObjectRequest.class)).isEqualTo(1);
    assertThat(keysInBucket()).containsExactly(key(id));
    assertThat(raw.getObjectAsBytes(r -> r.bucket(BUCKET).key(key(id))).asByteArray())
        .isEqualTo(content);
  }

  @Test
  void concurrentPutsFromSeparateCachesLeaveOneCorrectObject() throws Exception {
    byte[] content = bytes(400_000, 11);
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<String>> ids = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        S3ArtifactStore s = elsewhere("cache-" + t);
        ids.add(
            pool.submit(
                () -> {
                  start.await();
                  return s.put(content);
                }));
      }
      start.countDown();
      for (Future<String> id : ids) {
        assertThat(id.get()).isEqualTo(sha256(content));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(keysInBucket()).containsExactly(key(sha256(content)));
    assertThat(Files.readAllBytes(elsewhere("reader").path(sha256(content)))).isEqualTo(content);
  }

  @Test
  void pathDownloadsOnceThenAnswersFromTheCache() throws Exception {
    byte[] content = bytes(250_000, 21);
    String id = store.put(content);
    S3ArtifactStore reader = elsewhere("reader");

    Path first = reader.path(id);
    Path second = reader.path(id);

    assertThat(requests.count(GetObjectRequest.class)).isEqualTo(1);
    assertThat(second).isEqualTo(first);
    assertThat(Files.readAllBytes(first)).isEqualTo(content);
    // Served from the cache even once the object is gone from the bucket.
    raw.deleteObject(r -> r.bucket(BUCKET).key(key(id)));
    assertThat(Files.readAllBytes(reader.path(id))).isEqualTo(content);
    assertThat(requests.count(GetObjectRequest.class)).isEqualTo(1);
  }

  @Test
  void theStoreThatUploadedAnArtifactNeverDownloadsIt() throws Exception {
    byte[] content = bytes(50_000, 22);

    String id = store.put(content);

    assertThat(Files.readAllBytes(store.path(id))).isEqualTo(content);
    assertThat(requests.count(GetObjectRequest.class)).isZero();
  }

  @Test
  void concurrentPathCallsShareOneDownload() throws Exception {
    byte[] content = bytes(600_000, 23);
    String id = store.put(content);
    S3ArtifactStore reader = elsewhere("reader");
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Path>> paths = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        paths.add(
            pool.submit(
                () -> {
                  start.await();
                  return reader.path(id);
                }));
      }
      start.countDown();
      for (Future<Path> p : paths) {
        assertThat(Files.readAllBytes(p.get())).isEqualTo(content);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(requests.count(GetObjectRequest.class)).isEqualTo(1);
  }

  @Test
  void aCorruptObjectIsRefusedAndNotCached() throws Exception {
    byte[] content = bytes(80_000, 31);
    String id = store.put(content);
    byte[] damaged = content.clone();
    damaged[40_000] ^= 1;
    raw.putObject(r -> r.bucket(BUCKET).key(key(id)), RequestBody.fromBytes(damaged));
    S3ArtifactStore reader = elsewhere("reader");

    assertThatThrownBy(() -> reader.path(id))
        .isInstanceOf(ModelUnavailableException.class)
        .hasMessageContaining("corrupt")
        .hasMessageContaining(key(id))
        .hasMessageContaining(sha256(damaged));
    try (Stream<Path> files = Files.walk(caches.resolve("reader"))) {
      assertThat(files.filter(Files::isRegularFile)).isEmpty();
    }

    // Nothing wrong was remembered: once the object is right again, it is served.
    raw.putObject(r -> r.bucket(BUCKET).key(key(id)), RequestBody.fromBytes(content));
    assertThat(Files.readAllBytes(reader.path(id))).isEqualTo(content);
  }

  @Test
  void aTruncatedObjectIsRefused() {
    byte[] content = bytes(80_000, 32);
    String id = store.put(content);
    raw.putObject(
        r -> r.bucket(BUCKET).key(key(id)), RequestBody.fromBytes(Arrays.copyOf(content, 1000)));

    assertThatThrownBy(() -> elsewhere("reader").path(id))
        .isInstanceOf(ModelUnavailableException.class)
        .hasMessageContaining("corrupt");
  }

  @Test
  void puttingOverAnObjectOfTheWrongSizeReplacesIt() throws Exception {
    byte[] content = bytes(70_000, 33);
    String id = sha256(content);
    raw.putObject(
        r -> r.bucket(BUCKET).key(key(id)), RequestBody.fromBytes(Arrays.copyOf(content, 10)));

    store.put(content);

    assertThat(store.size(id)).isEqualTo(content.length);
    assertThat(Files.readAllBytes(elsewhere("reader").path(id))).isEqualTo(content);
  }

  @Test
  void theBuilderMakesAWorkingClientForAnS3CompatibleEndpoint() throws Exception {
    byte[] content = bytes(120_000, 41);
    try (S3ArtifactStore built = builder(server.endpoint()).build()) {
      String id = built.put(content);

      assertThat(built.contains(id)).isTrue();
      assertThat(built.size(id)).isEqualTo(content.length);
      assertThat(keysInBucket()).containsExactly(key(id));
      assertThat(Files.readAllBytes(elsewhere("reader").path(id))).isEqualTo(content);
    }
  }

  @Test
  void aBucketThatDoesNotExistIsReportedWhenTheStoreIsBuilt() {
    assertThatThrownBy(() -> builder(server.endpoint()).bucket("no-such-bucket").build())
        .isInstanceOf(ModelUnavailableException.class)
        .hasMessageContaining("no-such-bucket")
        .hasMessageContaining("does not exist");
  }

  @Test
  void wrongCredentialsAreReportedWhenTheStoreIsBuilt() {
    assertThatThrownBy(
            () ->
                builder(server.endpoint())
                    .credentials(S3TestServer.ACCESS_KEY, "not-the-secret")
                    .build())
        .isInstanceOf(ModelUnavailableException.class)
        .hasMessageContaining(BUCKET)
        .hasMessageContaining("denied");
  }

  @Test
  void anUnreachableEndpointIsUnavailableNamingIt() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closed);

    assertThatThrownBy(() -> builder(nowhere).timeout(Duration.ofSeconds(2)).build())
        .isInstanceOf(ModelUnavailableException.class)
        .hasMessageContaining(BUCKET)
        .hasMessageContaining(nowhere.toString());
  }

  S3ArtifactStore.Builder builder(URI endpoint) {
    return S3ArtifactStore.builder()
        .bucket(BUCKET)
        .prefix(prefix)
        .region(S3TestServer.REGION)
        .endpoint(endpoint)
        .pathStyle(true)
        .credentials(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY)
        .cacheDirectory(caches.resolve("built"));
  }

  /** Counts the S3 requests a client makes, by request type. */
  static final class Requests implements ExecutionInterceptor {
    private final Map<Class<?>, AtomicInteger> counts = new ConcurrentHashMap<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      SdkRequest request = context.request();
      counts.computeIfAbsent(request.getClass(), k -> new AtomicInteger()).incrementAndGet();
    }

    int count(Class<? extends SdkRequest> type) {
      AtomicInteger n = counts.get(type);
      return n == null ? 0 : n.get();
    }
  }
}
