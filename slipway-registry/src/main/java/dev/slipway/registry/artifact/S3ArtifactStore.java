package dev.slipway.registry.artifact;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.api.ModelUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An {@link ArtifactStore} in an S3 bucket: Amazon S3 itself, or any S3-compatible store (MinIO,
 * Ceph, S3Proxy, ...) reached through an endpoint override, usually with path-style addressing.
 * Content lives at the key {@code <prefix>sha256/<first two hex chars>/<64 hex chars>}; the prefix
 * is used as given (include a trailing {@code /} to get a folder).
 *
 * <p>Every artifact this store has written or read is also kept in a local cache directory, itself
 * a {@link LocalArtifactStore}, because a model runtime needs a local file:
 *
 * <ul>
 *   <li>{@code put} streams the content into the cache while hashing it (one pass; a large model is
 *       never held in memory), then uploads the cached file with a {@code Content-MD5} header so
 *       that the server refuses a body damaged on the way, and checks with a {@code HeadObject}
 *       that the object is there with the right size. An object that already exists with the right
 *       size is not uploaded again; one with the wrong size is replaced.
 *   <li>{@code path} answers from the cache without any request. Otherwise it downloads the object
 *       once into a temporary file while hashing it, and only when the hash is the requested id
 *       does the content enter the cache (atomically); concurrent calls for the same id share one
 *       download. An object whose content does not match its key is refused and not cached.
 *   <li>{@code contains} and {@code size} ask the bucket ({@code HeadObject}): the bucket, not the
 *       cache, says what is stored.
 * </ul>
 *
 * <p>The cache is never trimmed: it holds at most what this process served or stored.
 *
 * <p>Permissions needed: {@code s3:ListBucket} on the bucket (without it S3 answers a missing
 * object with 403, not 404, and the store cannot tell "missing" from "refused"), {@code
 * s3:GetObject} and {@code s3:PutObject} on the keys.
 *
 * <p>Errors: ids and files are checked as {@link ArtifactStore} says. A bucket that cannot be
 * reached or that refuses a request, and an object whose content does not hash to its key, surface
 * as {@link ModelUnavailableException} naming the bucket and key; local disk failures as {@link
 * UncheckedIOException}.
 *
 * <p>Thread-safe: the S3 client is, the cache is, and downloads are serialized per id.
 */
public final class S3ArtifactStore implements ArtifactStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(S3ArtifactStore.class);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final int BUFFER_SIZE = 1 << 16;
  private static final int DOWNLOAD_STRIPES = 64;

  private final S3Client s3;
  private final boolean ownsClient;
  private final AutoCloseable credentials;
  private final String bucket;
  private final String prefix;
  private final LocalArtifactStore cache;
  private final Path incoming;
  private final Object[] downloadLocks = new Object[DOWNLOAD_STRIPES];

  /**
   * A store over a client the caller configured and keeps: {@link #close} leaves it open. The
   * client should not compute its own request checksums for S3-compatible stores that lack them
   * ({@link RequestChecksumCalculation#WHEN_REQUIRED}); {@link Builder} sets that up.
   *
   * @param s3 the client
   * @param bucket the bucket, which must exist
   * @param prefix prepended to every key, or {@code ""}
   * @param cacheDirectory the local cache (created if needed)
   */
  public S3ArtifactStore(S3Client s3, String bucket, String prefix, Path cacheDirectory) {
    this(s3, false, null, bucket, prefix, cacheDirectory);
  }

  private S3ArtifactStore(
      S3Client s3,
      boolean ownsClient,
      AutoCloseable credentials,
      String bucket,
      String prefix,
      Path cacheDirectory) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.ownsClient = ownsClient;
    this.credentials = credentials;
    if (bucket == null || bucket.isBlank()) {
      throw InvalidInputException.missing("bucket", "the name of an S3 bucket");
    }
    this.bucket = bucket;
    this.prefix = prefix == null ? "" : prefix;
    Objects.requireNonNull(cacheDirectory, "cacheDirectory");
    this.cache = new LocalArtifactStore(cacheDirectory);
    this.incoming = cacheDirectory.toAbsolutePath().normalize().resolve("incoming");
    try {
      Files.createDirectories(incoming);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + incoming, e);
    }
    for (int i = 0; i < DOWNLOAD_STRIPES; i++) {
      downloadLocks[i] = new Object();
    }
  }

  /** Starts configuring a store that creates and owns its S3 client. */
  public static Builder builder() {
    return new Builder();
  }

  /** The key of an artifact's object in the bucket. */
  public String key(String sha256) {
    check(sha256);
    return prefix + "sha256/" + sha256.substring(0, 2) + "/" + sha256;
  }

  @Override
  public String put(Path file) {
    return upload(cache.put(file));
  }

  @Override
  public String put(byte[] content) {
    return upload(cache.put(content));
  }

  @Override
  public Path path(String sha256) {
    check(sha256);
    if (cache.contains(sha256)) {
      return cache.path(sha256);
    }
    synchronized (downloadLocks[Integer.parseInt(sha256.substring(0, 2), 16) % DOWNLOAD_STRIPES]) {
      if (!cache.contains(sha256)) {
        download(sha256);
      }
      return cache.path(sha256);
    }
  }

  @Override
  public boolean contains(String sha256) {
    return head(key(sha256)) != null;
  }

  @Override
  public long size(String sha256) {
    HeadObjectResponse head = head(key(sha256));
    if (head == null) {
      throw notFound(sha256);
    }
    return head.contentLength();
  }

  /** Closes the S3 client (and its credentials provider) when this store created it. */
  @Override
  public void close() {
    if (ownsClient) {
      s3.close();
    }
    if (credentials != null) {
      try {
        credentials.close();
      } catch (Exception e) {
        LOG.warn("closing the S3 credentials provider: {}", e.getMessage());
      }
    }
  }

  @Override
  public String toString() {
    return "S3ArtifactStore[s3://" + bucket + "/" + prefix + "]";
  }

  private String upload(String sha256) {
    String key = key(sha256);
    Path file = cache.path(sha256);
    long size = cache.size(sha256);
    HeadObjectResponse existing = head(key);
    if (existing != null && existing.contentLength() == size) {
      return sha256;
    }
    if (existing != null) {
      LOG.warn(
          "s3://{}/{} holds {} bytes, not {}: replacing it",
          bucket,
          key,
          existing.contentLength(),
          size);
    }
    String md5 = Base64.getEncoder().encodeToString(md5(file));
    try {
      s3.putObject(
          r -> r.bucket(bucket).key(key).contentMD5(md5).contentType("application/octet-stream"),
          RequestBody.fromFile(file));
    } catch (SdkException e) {
      throw unavailable("upload", key, e);
    }
    HeadObjectResponse stored = head(key);
    if (stored == null || stored.contentLength() != size) {
      throw new ModelUnavailableException(
          "s3://"
              + bucket
              + "/"
              + key
              + " was uploaded but then "
              + (stored == null ? "not found" : "held " + stored.contentLength() + " bytes")
              + "; expected "
              + size
              + " bytes");
    }
    return sha256;
  }

  private void download(String sha256) {
    String key = key(sha256);
    Path temp = incoming.resolve(UUID.randomUUID() + ".download");
    try {
      MessageDigest digest = digest("SHA-256");
      try (ResponseInputStream<GetObjectResponse> in =
              s3.getObject(r -> r.bucket(bucket).key(key));
          OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW)) {
        byte[] buffer = new byte[BUFFER_SIZE];
        int n;
        while ((n = read(in, buffer, key)) > 0) {
          digest.update(buffer, 0, n);
          out.write(buffer, 0, n);
        }
      } catch (S3Exception e) {
        if (e.statusCode() == 404) {
          throw notFound(sha256);
        }
        throw unavailable("download", key, e);
      } catch (SdkException e) {
        throw unavailable("download", key, e);
      }
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equals(sha256)) {
        throw new ModelUnavailableException(
            "s3://"
                + bucket
                + "/"
                + key
                + " is corrupt: its content hashes to "
                + actual
                + ", not "
                + sha256
                + "; it was not cached. Upload the original file again to repair it.");
      }
      // The copy into the cache hashes once more; it keeps the cache's layout and atomic moves in
      // one class.
      cache.put(temp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot cache s3://" + bucket + "/" + key + " in " + temp, e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        LOG.warn("cannot delete {}: {}", temp, e.getMessage());
      }
    }
  }

  /** Reads from a download; a connection that breaks makes the store unavailable, not the disk. */
  private int read(InputStream in, byte[] buffer, String key) {
    try {
      return in.read(buffer);
    } catch (IOException e) {
      throw new ModelUnavailableException(
          "S3 download of s3://" + bucket + "/" + key + " broke off: " + e.getMessage(), e);
    }
  }

  /** The object's metadata, or null when there is no object with this key. */
  private HeadObjectResponse head(String key) {
    try {
      return s3.headObject(r -> r.bucket(bucket).key(key));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return null;
      }
      throw unavailable("HeadObject", key, e);
    } catch (SdkException e) {
      throw unavailable("HeadObject", key, e);
    }
  }

  private ModelUnavailableException unavailable(String what, String key, SdkException e) {
    return new ModelUnavailableException(
        "S3 " + what + " of s3://" + bucket + "/" + key + " failed: " + e.getMessage(), e);
  }

  private static void check(String sha256) {
    if (sha256 == null) {
      throw InvalidInputException.missing("sha256", "64 lowercase hex characters");
    }
    if (!SHA256.matcher(sha256).matches()) {
      throw InvalidInputException.of("sha256", sha256, "64 lowercase hex characters");
    }
  }

  private static ModelNotFoundException notFound(String sha256) {
    return new ModelNotFoundException("no artifact with sha256 " + sha256 + " is stored");
  }

  private static byte[] md5(Path file) {
    MessageDigest md5 = digest("MD5");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[BUFFER_SIZE];
      int n;
      while ((n = in.read(buffer)) > 0) {
        md5.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return md5.digest();
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides " + algorithm, e);
    }
  }

  /**
   * Settings of a store that creates its own S3 client (Apache HTTP client). Only the bucket and
   * the cache directory are required. Not thread-safe.
   */
  public static final class Builder {
    private String bucket;
    private String prefix = "";
    private String region;
    private URI endpoint;
    private boolean pathStyle;
    private String accessKeyId;
    private String secretAccessKey;
    private Path cacheDirectory;
    private Duration timeout = Duration.ofSeconds(30);

    private Builder() {}

    /** The bucket; it must exist. */
    public Builder bucket(String value) {
      bucket = value;
      return this;
    }

    /** Prepended to every key, as given; default none. */
    public Builder prefix(String value) {
      prefix = value == null ? "" : value;
      return this;
    }

    /**
     * The region, e.g. {@code us-east-1}. Default: the SDK's chain ({@code AWS_REGION}, the
     * profile, instance metadata), and {@code us-east-1} when it finds none.
     */
    public Builder region(String value) {
      region = value;
      return this;
    }

    /** The endpoint of an S3-compatible store, e.g. {@code http://127.0.0.1:9000}; default AWS. */
    public Builder endpoint(URI value) {
      endpoint = value;
      return this;
    }

    /**
     * Address the bucket in the path ({@code host/bucket/key}), as most S3-compatible stores do.
     */
    public Builder pathStyle(boolean value) {
      pathStyle = value;
      return this;
    }

    /**
     * Fixed credentials. Without them the SDK's default chain is used: {@code AWS_ACCESS_KEY_ID} /
     * {@code AWS_SECRET_ACCESS_KEY}, system properties, profiles, container and instance roles.
     */
    public Builder credentials(String accessKeyId, String secretAccessKey) {
      this.accessKeyId = accessKeyId;
      this.secretAccessKey = secretAccessKey;
      return this;
    }

    /** Where downloaded and uploaded artifacts are kept locally. */
    public Builder cacheDirectory(Path value) {
      cacheDirectory = value;
      return this;
    }

    /** Connection and socket timeout of the HTTP client; default 30 s. */
    public Builder timeout(Duration value) {
      timeout = Objects.requireNonNull(value, "timeout");
      return this;
    }

    /**
     * Creates the client and checks that the bucket can be reached.
     *
     * @throws InvalidInputException naming {@code bucket} or {@code cacheDirectory} when missing
     * @throws ModelUnavailableException when the bucket does not exist or cannot be reached, with
     *     the endpoint and the store's answer
     */
    public S3ArtifactStore build() {
      if (bucket == null || bucket.isBlank()) {
        throw InvalidInputException.missing("bucket", "the name of an S3 bucket");
      }
      if (cacheDirectory == null) {
        throw InvalidInputException.missing("cacheDirectory", "a local directory");
      }
      if ((accessKeyId == null) != (secretAccessKey == null)) {
        throw InvalidInputException.missing(
            accessKeyId == null ? "accessKeyId" : "secretAccessKey",
            "both an access key id and a secret access key, or neither");
      }
      S3ClientBuilder b =
          S3Client.builder()
              .httpClientBuilder(
                  Apache5HttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
              .region(region != null ? Region.of(region) : defaultRegion())
              .forcePathStyle(pathStyle)
              // The SDK's default CRC checksums (aws-chunked trailers) are not understood by every
              // S3-compatible store; Content-MD5 on upload and our own SHA-256 check on download
              // are.
              .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
              .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
      if (endpoint != null) {
        b.endpointOverride(endpoint);
      }
      DefaultCredentialsProvider chain =
          accessKeyId == null ? DefaultCredentialsProvider.builder().build() : null;
      AwsCredentialsProvider credentials =
          chain != null
              ? chain
              : StaticCredentialsProvider.create(
                  AwsBasicCredentials.create(accessKeyId, secretAccessKey));
      b.credentialsProvider(credentials);
      S3Client client = b.build();
      try {
        client.headBucket(r -> r.bucket(bucket));
      } catch (SdkException e) {
        client.close();
        if (chain != null) {
          chain.close();
        }
        String answer =
            e instanceof S3Exception s && s.statusCode() == 404
                ? "it does not exist"
                : e instanceof S3Exception s && s.statusCode() == 403
                    ? "access is denied with these credentials"
                    : e.getMessage();
        throw new ModelUnavailableException(
            "cannot use S3 bucket '"
                + bucket
                + "' at "
                + (endpoint == null ? "AWS" : endpoint.toString())
                + ": "
                + answer,
            e);
      }
      return new S3ArtifactStore(client, true, chain, bucket, prefix, cacheDirectory);
    }

    private static Region defaultRegion() {
      try {
        return new DefaultAwsRegionProviderChain().getRegion();
      } catch (SdkException e) {
        return Region.US_EAST_1;
      }
    }
  }
}
