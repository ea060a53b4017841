package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.api.Field;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.server.web.ModelPages;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the guards do is visible: after a known set of guarded requests, {@code /metrics} counts
 * records by input outcome, each failed check, rows by the link that answered them and the
 * breaker's state, and the model's page shows the same counts next to the checks (the profile's
 * ranges and domains, each feature's policy), the output checks, the fallback chain and the
 * breaker.
 */
class GuardVisibilityTest {
  static TestServer s;

  /** Rows answered by the model and by the heuristic (a filtering model may route some away). */
  static int byModel;

  static int byHeuristic;

  static final String GOOD =
      "{\"hour\": 14, \"ad_position\": 1, \"user_past_ctr\": 0.05, \"user_age\": 35,"
          + " \"device\": \"mobile\", \"site_category\": \"games\", \"ad_size\": \"320x50\"}";

  @BeforeAll
  static void start() {
    s = new TestServer(c -> c.toBuilder().guard(DemoModel.NAME, DemoModel.guardSpec()).build());
    // 3 records that pass and 1 whose age is imputed, then 1 refused
    count(
        s.post(
            "/api/v1/models/ad-click/predict",
            "{\"records\": ["
                + GOOD
                + ", "
                + GOOD.replace("\"hour\": 14", "\"hour\": 9")
                + ", "
                + GOOD.replace("\"mobile\"", "\"desktop\"")
                + ", "
                + GOOD.replace("\"user_age\": 35", "\"user_age\": 400")
                + "]}"));
    HttpResponse<String> refused =
        s.post(
            "/api/v1/models/ad-click/predict",
            "{\"records\": [" + GOOD.replace("\"mobile\"", "\"fridge\"") + "]}");
    assertThat(refused.statusCode()).isEqualTo(400);
    // and one row over OIP: 4 passed, 1 imputed, 1 rejected in all
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
                + " \"data\": [\"games\"]}, {\"name\": \"ad_size\", \"datatype\": \"BYTES\","
                + " \"shape\": [1], \"data\": [\"320x50\"]}]}");
    assertThat(oip.statusCode()).as(oip.body()).isEqualTo(200);
    for (JsonNode link : TestServer.json(oip).get("parameters").get("served_by")) {
      tally(link.asText());
    }
  }

  static void count(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    for (JsonNode p : TestServer.json(r).get("predictions")) {
      tally(p.get("served_by").asText());
    }
  }

  static void tally(String link) {
    if (link.equals("ad-click/2")) {
      byModel++;
    } else {
      assertThat(link).isEqualTo("heuristic");
      byHeuristic++;
    }
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static String metric(String name, String labels, long value) {
    return Pattern.quote(name + "{" + labels + "} " + value) + "(\\.0)?\\n";
  }

  @Test
  void metricsCountInputsByOutcomeEachFailedCheckAnswersByLinkAndTheBreakerState() {
    String m = s.get("/metrics").body();
    String model = "model=\"ad-click\"";
    assertThat(m)
        .containsPattern(metric("slipway_guard_inputs_total", model + ",outcome=\"passed\"", 4))
        .containsPattern(metric("slipway_guard_inputs_total", model + ",outcome=\"imputed\"", 1))
        .containsPattern(metric("slipway_guard_inputs_total", model + ",outcome=\"rejected\"", 1))
        .containsPattern(
            metric(
                "slipway_guard_input_checks_total",
                "action=\"impute\",check=\"range\",feature=\"user_age\"," + model,
                1))
        .containsPattern(
            metric(
                "slipway_guard_input_checks_total",
                "action=\"reject\",check=\"domain\",feature=\"device\"," + model,
                1))
        .containsPattern(
            metric("slipway_guard_answers_total", "link=\"primary\"," + model, byModel))
        .containsPattern(metric("slipway_guard_breaker_state", model + ",version=\"2\"", 0));
    if (byHeuristic > 0) {
      assertThat(m)
          .containsPattern(
              metric("slipway_guard_answers_total", "link=\"heuristic\"," + model, byHeuristic))
          .containsPattern(metric("slipway_guard_filtered_total", model, byHeuristic));
    }
  }

  @Test
  void theModelPageShowsTheChecksTheChainTheBreakerAndTheCounts() {
    HttpResponse<String> r = s.get("/ui/models/ad-click");
    assertThat(r.statusCode()).isEqualTo(200);
    String html = r.body();
    assertThat(html).contains("<h2 id=\"guards\">Guards</h2>");

    // per feature: what is accepted (the data profile's range) and what a failed check does
    DataProfile profile =
        DataProfile.fromYaml(s.get("/api/v1/models/ad-click/versions/2/profile").body());
    for (String f : new String[] {"hour", "user_past_ctr", "user_age"}) {
      Field learnt = profile.feature(f).orElseThrow().toField();
      assertThat(feature(html, f))
          .contains(
              " from "
                  + ModelPages.number(learnt.min())
                  + " to "
                  + ModelPages.number(learnt.max()));
    }
    assertThat(feature(html, "hour")).contains("an integer").contains("refuse the request (400)");
    assertThat(feature(html, "user_age")).containsPattern("impute \\d+");
    assertThat(feature(html, "device"))
        .contains("one of")
        .contains("mobile")
        .contains("tablet")
        .contains("refuse the request (400)");

    // output checks and the fallback chain, the breaker's state on the model's link
    assertThat(section(html, "guard-outputs"))
        .contains("every number is finite")
        .contains("<code>score</code> in [0.0, 1.0]")
        .contains("<code>probabilities</code> in [0.0, 1.0]");
    assertThat(section(html, "guard-chain"))
        .contains("ad-click/2 (the model)")
        .contains("<b id=\"guard-breaker\">CLOSED</b>")
        .contains("the heuristic: if user_past_ctr &gt;= 0.2")
        .contains("otherwise 503");

    // the same counts as /metrics
    assertThat(count(html, "input", "passed")).isEqualTo(4);
    assertThat(count(html, "input", "imputed")).isEqualTo(1);
    assertThat(count(html, "input", "rejected")).isEqualTo(1);
    assertThat(count(html, "input", "heuristic")).isZero();
    assertThat(count(html, "answer", "primary")).isEqualTo(byModel);
    assertThat(count(html, "answer", "heuristic")).isEqualTo(byHeuristic);
    assertThat(count(html, "other", "requests no link could answer (503)")).isZero();
    assertThat(count(html, "other", "calls the open breaker turned away")).isZero();
  }

  @Test
  void anUnguardedModelHasNoGuardsSection() {
    assertThat(s.get("/ui/models/add").body()).doesNotContain("id=\"guards\"");
  }

  static String feature(String html, String name) {
    Matcher m =
        Pattern.compile("<tr data-feature=\"" + name + "\">(.*?)</tr>", Pattern.DOTALL)
            .matcher(html);
    assertThat(m.find()).as("a row for " + name).isTrue();
    return m.group(1);
  }

  static String section(String html, String id) {
    Matcher m =
        Pattern.compile("id=\"" + id + "\">(.*?)</(ol|ul|table)>", Pattern.DOTALL).matcher(html);
    assertThat(m.find()).as(id).isTrue();
    return m.group(1);
  }

  static long count(String html, String kind, String name) {
    Matcher m =
        Pattern.compile(
                "<tr data-count=\""
                    + kind
                    + "\"><td>"
                    + Pattern.quote(name)
                    + "</td><td class=\"n\">(\\d+)</td></tr>")
            .matcher(html);
    assertThat(m.find()).as(kind + " " + name).isTrue();
    return Long.parseLong(m.group(1));
  }
}
