package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.Server;
import dev.slipway.api.DataType;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Registry events reach webhooks, retried until the receiver accepts them. */
class WebhookTest {
  static Server receiver;
  static TestServer s;
  static final List<JsonNode> received = new CopyOnWriteArrayList<>();
  static final AtomicInteger calls = new AtomicInteger();

  @BeforeAll
  static void start() {
    receiver =
        Server.builder()
            .http(0)
            .service(
                "/hook",
                (ctx, req) ->
                    HttpResponse.of(
                        req.aggregate()
                            .thenApply(
                                agg -> {
                                  // the first two deliveries fail: the notifier must retry
                                  if (calls.incrementAndGet() <= 2) {
                                    return HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE);
                                  }
                                  received.add(
                                      TestServer.json(new FakeResponse(agg.contentUtf8())));
                                  return HttpResponse.of(HttpStatus.NO_CONTENT);
                                })))
            .build();
    receiver.start().join();
    String url = "http://127.0.0.1:" + receiver.activeLocalPort() + "/hook";
    s = new TestServer(c -> c.toBuilder().webhooks(List.of(url), 20).build());
  }

  @AfterAll
  static void stop() {
    s.close();
    receiver.stop().join();
  }

  @Test
  void aNewVersionAndAnAliasMoveAreDeliveredAfterRetries() {
    byte[] model = OnnxModelBuilder.identity(DataType.FP32, -1);
    var r =
        s.send(
            HttpRequest.newBuilder(URI.create(s.base() + "/api/v1/models/hooked/versions"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(model))
                .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    s.send(
        HttpRequest.newBuilder(URI.create(s.base() + "/api/v1/models/hooked/aliases/staging"))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"version\": 1}"))
            .build());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(received)
                    .extracting(n -> n.get("type").asText())
                    .contains("version_created", "alias_moved"));
    JsonNode created =
        received.stream()
            .filter(n -> n.get("type").asText().equals("version_created"))
            .findFirst()
            .orElseThrow();
    assertThat(created.get("model").asText()).isEqualTo("hooked");
    assertThat(created.get("version").asInt()).isEqualTo(1);
    assertThat(created.get("sha256").asText()).hasSize(64);
    JsonNode moved =
        received.stream()
            .filter(n -> n.get("type").asText().equals("alias_moved"))
            .findFirst()
            .orElseThrow();
    assertThat(moved.get("alias").asText()).isEqualTo("staging");
    assertThat(moved.get("to").asInt()).isEqualTo(1);
    assertThat(calls.get()).isGreaterThan(received.size());
  }

  /** Adapts a body to TestServer.json. */
  record FakeResponse(String body) implements java.net.http.HttpResponse<String> {
    public int statusCode() {
      return 200;
    }

    public HttpRequest request() {
      return null;
    }

    public java.util.Optional<java.net.http.HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    public java.net.http.HttpHeaders headers() {
      return java.net.http.HttpHeaders.of(java.util.Map.of(), (a, b) -> true);
    }

    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return java.util.Optional.empty();
    }

    public URI uri() {
      return null;
    }

    public java.net.http.HttpClient.Version version() {
      return java.net.http.HttpClient.Version.HTTP_1_1;
    }
  }
}
