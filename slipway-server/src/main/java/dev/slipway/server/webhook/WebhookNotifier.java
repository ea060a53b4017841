package dev.slipway.server.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.registry.RegistryEvent;
import dev.slipway.registry.RegistryListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers registry events to webhook URLs. Each event is POSTed as JSON ({@code type}, {@code
 * model} and the event's fields, plus {@code id} and {@code at}) with header {@code
 * X-Slipway-Event}; with a secret, {@code X-Slipway-Signature: sha256=<hex HMAC of the body>}. A
 * delivery that fails (no answer, or a status other than 2xx) is retried after {@code
 * initialDelay}, doubling each time, up to {@code maxAttempts}; then it is logged and dropped.
 *
 * <p>Thread-safe. Delivery happens on its own thread, never on the thread that changed the
 * registry.
 */
public final class WebhookNotifier implements RegistryListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<URI> urls;
  private final int maxAttempts;
  private final Duration initialDelay;
  private final byte[] secret;
  private final Clock clock;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "slipway-webhooks");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  /**
   * @param secret HMAC key for signatures, or null to send unsigned
   */
  public WebhookNotifier(
      List<URI> urls, int maxAttempts, Duration initialDelay, String secret, Clock clock) {
    this.urls = List.copyOf(urls);
    this.maxAttempts = maxAttempts;
    this.initialDelay = initialDelay;
    this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    this.clock = clock;
  }

  @Override
  public void onEvent(RegistryEvent event) {
    byte[] body = body(event);
    String type = type(event);
    for (URI url : urls) {
      executor.execute(() -> attempt(url, type, body, 1));
    }
  }

  /**
   * Delivers an event that is not a registry change (a fired alert, a lifecycle step) the same way:
   * {@code id}, {@code type}, {@code at}, then the given fields.
   */
  public void post(String type, Map<String, Object> fields) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ids.incrementAndGet());
    m.put("type", type);
    m.put("at", clock.instant().toString());
    m.putAll(fields);
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(m);
    } catch (java.io.IOException ex) {
      throw new IllegalStateException(ex);
    }
    for (URI url : urls) {
      executor.execute(() -> attempt(url, type, body, 1));
    }
  }

  /** Deliveries that got a 2xx, and deliveries given up after the last attempt. */
  public long delivered() {
    return delivered.get();
  }

  public long dropped() {
    return dropped.get();
  }

  private void attempt(URI url, String type, byte[] body, int attempt) {
    String problem;
    try {
      HttpRequest.Builder req =
          HttpRequest.newBuilder(url)
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .header("X-Slipway-Event", type)
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (secret != null) {
        req.header("X-Slipway-Signature", "sha256=" + hmac(body));
      }
      HttpResponse<Void> r = http.send(req.build(), HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() / 100 == 2) {
        delivered.incrementAndGet();
        return;
      }
      problem = "HTTP " + r.statusCode();
    } catch (java.io.IOException e) {
      problem = e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (attempt >= maxAttempts) {
      dropped.incrementAndGet();
      log.warn("webhook {} for {} dropped after {} attempts: {}", type, url, attempt, problem);
      return;
    }
    long delay = initialDelay.toMillis() << Math.min(attempt - 1, 20);
    log.info(
        "webhook {} to {} failed ({}), retry {} in {} ms", type, url, problem, attempt + 1, delay);
    executor.schedule(() -> attempt(url, type, body, attempt + 1), delay, TimeUnit.MILLISECONDS);
  }

  static String type(RegistryEvent e) {
    if (e instanceof RegistryEvent.VersionCreated) {
      return "version_created";
    }
    if (e instanceof RegistryEvent.AliasMoved) {
      return "alias_moved";
    }
    if (e instanceof RegistryEvent.AliasRemoved) {
      return "alias_removed";
    }
    if (e instanceof RegistryEvent.GateRecorded) {
      return "gate_recorded";
    }
    return "verification_recorded";
  }

  private byte[] body(RegistryEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ids.incrementAndGet());
    m.put("type", type(e));
    m.put("at", clock.instant().toString());
    m.put("model", e.model());
    if (e instanceof RegistryEvent.VersionCreated v) {
      m.put("version", v.version().version());
      m.put("sha256", v.version().sha256());
      m.put("format", v.version().format());
    } else if (e instanceof RegistryEvent.AliasMoved a) {
      m.put("alias", a.alias());
      m.put("from", a.from());
      m.put("to", a.to());
      m.put("forced", a.forced());
    } else if (e instanceof RegistryEvent.AliasRemoved a) {
      m.put("alias", a.alias());
      m.put("version", a.version());
    } else if (e instanceof RegistryEvent.GateRecorded g) {
      m.put("version", g.version());
      m.put("verdict", g.gate().verdict().name());
      m.put("numbers", g.gate().numbers());
      m.put("details", g.gate().details());
    } else if (e instanceof RegistryEvent.VerificationRecorded v) {
      m.put("version", v.version());
      m.put("status", v.verification().status().name());
      m.put("message", v.verification().message());
    }
    try {
      return JSON.writeValueAsBytes(m);
    } catch (java.io.IOException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private String hmac(byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
