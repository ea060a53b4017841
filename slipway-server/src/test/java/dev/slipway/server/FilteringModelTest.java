package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.api.Field;
import dev.slipway.api.Record;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.server.filter.FilterTraining;
import dev.slipway.serving.guard.FilterDocument;
import dev.slipway.serving.guard.Guards;
import dev.slipway.serving.host.Lease;
import dev.slipway.train.data.AdClickGenerator;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The filtering model of the demo, over HTTP: trained at registration (held-out generator rows),
 * kept with the version, in front of the model with the demo's guards (a heuristic fallback).
 */
class FilteringModelTest {
  static TestServer s;

  @BeforeAll
  static void start() {
    s = new TestServer(c -> c.toBuilder().guard(DemoModel.NAME, DemoModel.guardSpec()).build());
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @Test
  void theDemoFilterRaisesAccuracyOnTheRequestsItLetsThroughAndReportsTheShareRoutedAway()
      throws Exception {
    // Fresh rows (a seed used neither for training, 8, nor for the filter, 1008), leaving out the
    // few the input checks would refuse: values beyond the range seen in training.
    DataProfile profile =
        DataProfile.fromYaml(
            s.server.registry().document(DemoModel.NAME, 2, Guards.PROFILE).orElseThrow());
    List<Record> rows = new ArrayList<>();
    for (Record r : new AdClickGenerator(555).generate(3000)) {
      if (withinProfile(r, profile)) {
        rows.add(r);
      }
    }
    int n = rows.size();
    assertThat(n).isGreaterThan(2900);

    // The main model alone, on every row.
    Object[] mainLabels;
    try (Lease lease = s.server.host().acquire(DemoModel.NAME, 2)) {
      mainLabels =
          (Object[]) FilterTraining.unguarded(lease.model()).apply(rows).get("label").data();
    }

    // The same rows through the guarded API: the filter routes some to the heuristic.
    List<Map<String, Object>> body = new ArrayList<>();
    for (Record r : rows) {
      body.add(r.asMap());
    }
    HttpResponse<String> response =
        s.post(
            "/api/v1/models/ad-click/versions/2/predict",
            TestServer.JSON.writeValueAsString(Map.of("records", body)));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode predictions = TestServer.json(response).get("predictions");

    int rightAll = 0;
    int kept = 0;
    int rightKept = 0;
    for (int i = 0; i < n; i++) {
      String truth = (String) rows.get(i).get(AdClickGenerator.LABEL);
      rightAll += truth.equals(mainLabels[i]) ? 1 : 0;
      JsonNode p = predictions.get(i);
      String servedBy = p.get("served_by").asText();
      if (servedBy.equals("ad-click/2")) {
        kept++;
        String label = p.get("label").asText();
        assertThat(label).as("row %d answered by the model itself", i).isEqualTo(mainLabels[i]);
        rightKept += truth.equals(label) ? 1 : 0;
      } else {
        assertThat(servedBy).isEqualTo("heuristic");
      }
    }
    double accuracyAll = (double) rightAll / n;
    double accuracyKept = (double) rightKept / kept;
    double routedShare = (double) (n - kept) / n;
    JsonNode stored =
        TestServer.json(s.get("/api/v1/models/ad-click/versions/2/filter")).get("metrics");
    System.out.printf(
        "demo filter over HTTP on %d fresh rows: routed away %.1f%% (%d), main model accuracy"
            + " all %.4f, kept %.4f; stored at registration: precision %.3f, recall %.3f, routed"
            + " %.3f, accuracy all %.4f, kept %.4f%n",
        n,
        100 * routedShare,
        n - kept,
        accuracyAll,
        accuracyKept,
        stored.get("precision").asDouble(),
        stored.get("recall").asDouble(),
        stored.get("routed_share").asDouble(),
        stored.get("accuracy_all").asDouble(),
        stored.get("accuracy_kept").asDouble());

    assertThat(accuracyKept).isGreaterThan(accuracyAll);
    assertThat(routedShare).isBetween(0.01, 0.5);
    // what the filter does on new rows is close to what was measured when it was trained
    assertThat(routedShare).isCloseTo(stored.get("routed_share").asDouble(), within(0.05));
    assertThat(s.get("/metrics").body())
        .containsPattern("slipway_guard_filtered_total\\{model=\"ad-click\"\\} " + (n - kept));
  }

  @Test
  void postTrainsAndStoresAFilterAndGetAnswersItsNumbers() {
    HttpResponse<String> r =
        s.post(
            "/api/v1/models/ad-click/versions/1/filter",
            "{\"generator\": {\"name\": \"ad-click\", \"seed\": 99, \"rows\": 3000}, \"seed\": 5}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode trained = TestServer.json(r);
    JsonNode m = trained.get("metrics");
    assertThat(trained.get("threshold_choice").asText()).isEqualTo("max_f1");
    assertThat(trained.get("seed").asLong()).isEqualTo(5);
    assertThat(trained.get("sha256").asText()).hasSize(64);
    assertThat(m.get("rows").asInt()).isEqualTo(3000);
    assertThat(m.get("measure_rows").asInt()).isEqualTo(1200);
    assertThat(m.get("precision").asDouble()).isBetween(0.0, 1.0);
    assertThat(m.get("recall").asDouble()).isBetween(0.0, 1.0);
    assertThat(m.get("accuracy_kept").asDouble()).isGreaterThan(m.get("accuracy_all").asDouble());

    HttpResponse<String> g = s.get("/api/v1/models/ad-click/versions/1/filter");
    assertThat(g.statusCode()).isEqualTo(200);
    assertThat(TestServer.json(g)).isEqualTo(trained);
    FilterDocument doc =
        FilterDocument.fromJson(
            s.server.registry().document(DemoModel.NAME, 1, FilterDocument.KIND).orElseThrow());
    assertThat(s.server.registry().artifactPath(doc.sha256())).isRegularFile();
    assertThat(doc.spec().positiveLabel()).isEqualTo("fail");
    assertThat(s.get("/api/v1/models/ad-click/audit?limit=1").body())
        .contains("document.put")
        .contains("\\\"kind\\\":\\\"filter\\\""); // the detail is JSON in JSON
  }

  @Test
  void aVersionWithoutAFilterIs404AndBadRequestsAre400NamingTheField() {
    assertThat(s.get("/api/v1/models/add/versions/1/filter").statusCode()).isEqualTo(404);
    assertThat(s.get("/api/v1/models/ad-click/versions/9/filter").statusCode()).isEqualTo(404);

    HttpResponse<String> few =
        s.post(
            "/api/v1/models/ad-click/versions/1/filter",
            "{\"generator\": {\"name\": \"ad-click\", \"seed\": 1, \"rows\": 40}}");
    assertThat(few.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(few).get("error").asText())
        .contains("'dataset'")
        .contains("rows the main model got wrong");

    HttpResponse<String> threshold =
        s.post(
            "/api/v1/models/ad-click/versions/1/filter",
            "{\"generator\": {\"name\": \"ad-click\"}, \"threshold\": 1.5}");
    assertThat(threshold.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(threshold).get("error").asText()).contains("'threshold'");
  }

  static boolean withinProfile(Record r, DataProfile profile) {
    for (String name : r.names()) {
      if (profile.feature(name).isEmpty()) {
        continue;
      }
      Field f = profile.feature(name).get().toField();
      Object v = r.get(name);
      if (v instanceof Number x) {
        if (f.min() != null && (x.doubleValue() < f.min() || x.doubleValue() > f.max())) {
          return false;
        }
      } else if (!f.domain().isEmpty() && !f.domain().contains(v)) {
        return false;
      }
    }
    return true;
  }

  static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
