package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /metrics shows requests, errors by kind and latency histograms per stage, model and version. */
class MetricsTest {
  static TestServer s;

  @BeforeAll
  static void start() {
    s = new TestServer();
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @Test
  void countsRequestsStagesAndErrors() {
    for (int i = 0; i < 3; i++) {
      assertThat(
              s.post("/api/v1/models/ad-click/predict", RecordsApiTest.SAMPLE_RECORDS).statusCode())
          .isEqualTo(200);
    }
    s.post("/v2/models/missing/infer", BadInputTest.add("[1, 2]", "FP32", "[1, 2]"));
    s.post("/v2/models/add/infer", "{");
    String m = s.get("/metrics").body();
    for (String stage : new String[] {"validate", "enrich", "preprocess", "infer", "postprocess"}) {
      assertThat(m)
          .contains(
              "slipway_stage_duration_seconds_bucket{model=\"ad-click\",stage=\""
                  + stage
                  + "\",version=\"2\"");
    }
    assertThat(m)
        .contains(
            "slipway_stage_duration_seconds_count{model=\"ad-click\",stage=\"infer\",version=\"2\"} 3");
    assertThat(m)
        .contains(
            "slipway_request_duration_seconds_count{model=\"ad-click\",protocol=\"records\",version=\"2\"} 3");
    assertThat(m).contains("slipway_errors_total{kind=\"not_found\"} 1");
    assertThat(m).contains("slipway_errors_total{kind=\"invalid_input\"} 1");
  }
}
