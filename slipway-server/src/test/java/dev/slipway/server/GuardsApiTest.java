package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.guard.input.InputGuard;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.serving.guard.GuardSpec;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Guards over HTTP on the demo model: input checks, policies, the fallback chain, the profile. */
class GuardsApiTest {
  static TestServer s;

  @BeforeAll
  static void start() {
    GuardSpec d = DemoModel.guardSpec();
    // the demo's guards, and an unknown site category answered by the heuristic
    GuardSpec demo =
        new GuardSpec(
            d.inputPolicy(),
            Map.of(
                "user_age", InputGuard.Policy.IMPUTE, "site_category", InputGuard.Policy.HEURISTIC),
            d.impute(),
            d.outputRanges(),
            d.confidenceOutput(),
            d.minConfidence(),
            d.fallback(),
            d.heuristic(),
            d.breaker());
    // the identity model must answer within [0, 1], and has no fallback
    GuardSpec identity =
        new GuardSpec(
            InputGuard.Policy.REJECT,
            Map.of(),
            Map.of(),
            Map.of("y", new dev.slipway.guard.output.OutputGuard.Range(0.0, 1.0)),
            null,
            0,
            List.of(),
            null,
            null);
    s =
        new TestServer(
            c ->
                c.toBuilder()
                    .registryPollMillis(50)
                    .guard("ad-click", demo)
                    .guard("id-fp64", identity)
                    .build());
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static String record(String overrides) {
    return "{\"records\": [{\"hour\": 14, \"ad_position\": 1, \"user_past_ctr\": 0.05,"
        + " \"user_age\": 35, \"device\": \"mobile\", \"site_category\": \"games\","
        + " \"ad_size\": \"320x50\""
        + overrides
        + "}]}";
  }

  @Test
  void aGoodRecordIsAnsweredByTheModelAndSaysSo() {
    HttpResponse<String> r = s.post("/api/v1/models/ad-click/predict", record(""));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode p = TestServer.json(r).get("predictions").get(0);
    assertThat(p.get("served_by").asText()).isEqualTo("ad-click/2");
    assertThat(p.get("score").asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void aValueOutsideTheTrainingDomainIsA400NamingFieldValueAndExpectation() {
    HttpResponse<String> r =
        s.post(
            "/api/v1/models/ad-click/predict",
            record("").replace("\"device\": \"mobile\"", "\"device\": \"fridge\""));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(r).get("error").asText())
        .contains("records[0].device")
        .contains("fridge")
        .contains("mobile");
  }

  @Test
  void anOutOfRangeAgeIsImputedAsConfigured() {
    HttpResponse<String> r =
        s.post(
            "/api/v1/models/ad-click/predict",
            record("").replace("\"user_age\": 35", "\"user_age\": 400"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestServer.json(r).get("predictions").get(0).get("served_by").asText())
        .isEqualTo("ad-click/2");
    assertThat(s.get("/metrics").body())
        .containsPattern("slipway_guard_inputs_total\\{model=\"ad-click\",outcome=\"imputed\"");
  }

  @Test
  void whenNoLinkAnswersTheRequestIsA503NamingTheRowAndTheCheck() {
    assertThat(
            s.post("/api/v1/models/id-fp64/predict", "{\"records\": [{\"x\": 0.5}]}").statusCode())
        .isEqualTo(200);
    HttpResponse<String> r =
        s.post("/api/v1/models/id-fp64/predict", "{\"records\": [{\"x\": 0.5}, {\"x\": 5}]}");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(TestServer.json(r).get("error").asText())
        .contains("records[1]")
        .contains("output check on 'y'")
        .contains("no fallback chain");
  }

  @Test
  void theProfileIsReadableAndAnEditChangesTheChecks() {
    HttpResponse<String> profile = s.get("/api/v1/models/ad-click/versions/2/profile");
    assertThat(profile.statusCode()).isEqualTo(200);
    assertThat(profile.body()).contains("name: hour").contains("quantiles");

    // a broken edit is refused and the stored profile stays
    HttpResponse<String> bad = put("/api/v1/models/ad-click/versions/2/profile", "rows: [oops");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(bad).get("error").asText()).contains("profile");
    assertThat(s.get("/api/v1/models/ad-click/versions/2/profile").body())
        .isEqualTo(profile.body());

    // hour 30 is outside the profile's range: refused; widened by an edit: accepted
    String late = record("").replace("\"hour\": 14", "\"hour\": 30");
    assertThat(s.post("/api/v1/models/ad-click/predict", late).statusCode()).isEqualTo(400);
    String widened =
        profile.body().replaceFirst("(name: hour\\n(?:  .*\\n)*?  max: )23\\.0", "$130.0");
    assertThat(widened).isNotEqualTo(profile.body());
    HttpResponse<String> ok = put("/api/v1/models/ad-click/versions/2/profile", widened);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    HttpResponse<String> after = s.post("/api/v1/models/ad-click/predict", late);
    assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    assertThat(s.get("/api/v1/models/ad-click/audit").body()).contains("document.put");
  }

  @Test
  void aRecordTheHeuristicPolicyCatchesIsAnsweredByTheHeuristicAndTheOipResponseSaysSo() {
    HttpResponse<String> r =
        s.post(
            "/api/v1/models/ad-click/predict",
            "{\"records\": ["
                + record("").substring(13, record("").length() - 2).replace("games", "cooking")
                + ", "
                + record("")
                    .substring(13, record("").length() - 2)
                    .replace("games", "cooking")
                    .replace("0.05", "0.25")
                + ", "
                + record("").substring(13, record("").length() - 2)
                + "]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode p = TestServer.json(r).get("predictions");
    assertThat(p.get(0).get("served_by").asText()).isEqualTo("heuristic");
    assertThat(p.get(0).get("label").asText()).isEqualTo("no_click");
    assertThat(p.get(0).get("score").asDouble())
        .isCloseTo(0.046, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(p.get(1).get("served_by").asText()).isEqualTo("heuristic");
    assertThat(p.get(1).get("label").asText()).isEqualTo("click");
    assertThat(p.get(1).get("probabilities").size()).isEqualTo(2);
    assertThat(p.get(2).get("served_by").asText()).isEqualTo("ad-click/2");

    HttpResponse<String> oip =
        s.post(
            "/v2/models/ad-click/infer",
            "{\"inputs\": [{\"name\": \"hour\", \"datatype\": \"INT64\", \"shape\": [1],"
                + " \"data\": [14]}, {\"name\": \"ad_position\", \"datatype\": \"INT64\","
                + " \"shape\": [1], \"data\": [1]}, {\"name\": \"user_past_ctr\", \"datatype\":"
                + " \"FP64\", \"shape\": [1], \"data\": [0.05]}, {\"name\": \"user_age\","
                + " \"datatype\": \"INT64\", \"shape\": [1], \"data\": [35]}, {\"name\":"
                + " \"device\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"mobile\"]},"
                + " {\"name\": \"site_category\", \"datatype\": \"BYTES\", \"shape\": [1],"
                + " \"data\": [\"cooking\"]}, {\"name\": \"ad_size\", \"datatype\": \"BYTES\","
                + " \"shape\": [1], \"data\": [\"320x50\"]}]}");
    assertThat(oip.statusCode()).as(oip.body()).isEqualTo(200);
    assertThat(TestServer.json(oip).get("parameters").get("served_by").get(0).asText())
        .isEqualTo("heuristic");
    assertThat(s.get("/metrics").body())
        .containsPattern("slipway_guard_answers_total\\{link=\"heuristic\",model=\"ad-click\"");
  }

  static String oip(String... skip) {
    StringBuilder b = new StringBuilder("{\"inputs\": [");
    String[][] inputs = {
      {"hour", "INT64", "14"},
      {"ad_position", "INT64", "1"},
      {"user_past_ctr", "FP64", "0.05"},
      {"user_age", "INT64", "35"},
      {"device", "BYTES", "\"fridge\""},
      {"site_category", "BYTES", "\"games\""},
      {"ad_size", "BYTES", "\"320x50\""}
    };
    boolean first = true;
    for (String[] in : inputs) {
      if (List.of(skip).contains(in[0])) {
        continue;
      }
      b.append(first ? "" : ", ")
          .append("{\"name\": \"")
          .append(in[0])
          .append("\", \"datatype\": \"")
          .append(in[1])
          .append("\", \"shape\": [2], \"data\": [")
          .append(in[2].equals("\"fridge\"") ? "\"mobile\", " + in[2] : in[2] + ", " + in[2])
          .append("]}");
      first = false;
    }
    return b.append("]}").toString();
  }

  @Test
  void overOipARefusedValueIsNamedAsTheTensorElementTheCallerSent() {
    // device is the 4th input when user_age is left out: the second row's value is refused
    HttpResponse<String> r = s.post("/v2/models/ad-click/infer", oip("user_age"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(TestServer.json(r).get("error").asText())
        .startsWith("field 'inputs[3].data[1]'")
        .contains("fridge")
        .contains("mobile");
  }

  @Test
  void overOipAMissingInputThatTheGuardsImputeIsAnswered() {
    HttpResponse<String> r =
        s.post("/v2/models/ad-click/infer", oip("user_age").replace("\"fridge\"", "\"tablet\""));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestServer.json(r).get("parameters").get("served_by").get(1).asText())
        .isEqualTo("ad-click/2");
    // a missing input that is refused when odd is still named up front
    HttpResponse<String> hour =
        s.post("/v2/models/ad-click/infer", oip("hour").replace("\"fridge\"", "\"tablet\""));
    assertThat(hour.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(hour).get("error").asText())
        .startsWith("field 'inputs' is missing")
        .contains("'hour'");
  }

  HttpResponse<String> put(String path, String body) {
    return s.send(
        HttpRequest.newBuilder(URI.create(s.base() + path))
            .header("Content-Type", "application/yaml")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }
}
