package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Moving an alias under load fails no request, and the new version answers within a second. */
class ZeroDowntimeTest {
  static TestServer s;

  @BeforeAll
  static void start() {
    s = new TestServer(c -> c.toBuilder().registryPollMillis(50).keepWarmSeconds(0).build());
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static HttpResponse<String> moveChampion(int version) {
    return s.send(
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(s.base() + "/api/v1/models/ad-click/aliases/champion"))
            .header("Content-Type", "application/json")
            .PUT(
                java.net.http.HttpRequest.BodyPublishers.ofString(
                    "{\"version\": "
                        + version
                        + ", \"force\": true, \"reason\": \"zero-downtime test\"}"))
            .build());
  }

  @Test
  void tenAliasMovesUnderBoundedLoadFailNoRequest() throws Exception {
    assertThat(moveChampion(1).statusCode()).isEqualTo(200);
    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicLong answered = new AtomicLong();
    List<Thread> clients = new ArrayList<>();
    long deadline = System.nanoTime() + 60_000_000_000L; // bounded even if something hangs
    for (int t = 0; t < 4; t++) {
      Thread c =
          new Thread(
              () -> {
                while (!stop.get() && System.nanoTime() < deadline) {
                  HttpResponse<String> r =
                      s.post("/api/v1/models/ad-click/predict", RecordsApiTest.SAMPLE_RECORDS);
                  if (r.statusCode() != 200) {
                    failures.add(r.statusCode() + " " + r.body());
                  } else {
                    answered.incrementAndGet();
                  }
                }
              });
      c.start();
      clients.add(c);
    }
    try {
      int target = 1;
      for (int move = 0; move < 10; move++) {
        target = target == 1 ? 2 : 1;
        long moved = System.nanoTime();
        assertThat(moveChampion(target).statusCode()).isEqualTo(200);
        while (true) {
          JsonNode r =
              TestServer.json(
                  s.post("/api/v1/models/ad-click/predict", RecordsApiTest.SAMPLE_RECORDS));
          if (r.get("model_version").asInt() == target) {
            break;
          }
          assertThat(System.nanoTime() - moved)
              .as("new version answers within a second")
              .isLessThan(1_000_000_000L);
        }
        Thread.sleep(100);
      }
    } finally {
      stop.set(true);
      for (Thread c : clients) {
        c.join();
      }
    }
    assertThat(failures).isEmpty();
    assertThat(answered.get()).isGreaterThan(50);
  }
}
