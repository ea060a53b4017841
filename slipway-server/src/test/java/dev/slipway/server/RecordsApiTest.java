package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** The records API answers rows as JSON, XML or CSV, each prediction with its model version. */
class RecordsApiTest {
  static final String SAMPLE_RECORDS =
      """
      {"records": [
        {"hour": 14, "ad_position": 1, "user_past_ctr": 0.25, "user_age": 25,
         "device": "mobile", "site_category": "games", "ad_size": "320x50"},
        {"hour": 3, "ad_position": 5, "user_past_ctr": 0.0, "user_age": 65,
         "device": "desktop", "site_category": "finance", "ad_size": "160x600"}]}
      """;
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
  void answersJsonByDefaultWithLabelScoreProbabilitiesAndVersion() {
    HttpResponse<String> r = s.post("/api/v1/models/ad-click/predict", SAMPLE_RECORDS, "*/*");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).contains("application/json"));
    JsonNode body = TestServer.json(r);
    assertThat(body.get("model").asText()).isEqualTo("ad-click");
    assertThat(body.get("model_version").asText()).isEqualTo("2");
    JsonNode predictions = body.get("predictions");
    assertThat(predictions).hasSize(2);
    for (JsonNode p : predictions) {
      assertThat(p.get("model_version").asText()).isEqualTo("2");
      assertThat(p.get("label").asText()).isIn("click", "no_click");
      double score = p.get("score").asDouble();
      assertThat(p.get("probabilities")).hasSize(2);
      double sum =
          p.get("probabilities").get(0).asDouble() + p.get("probabilities").get(1).asDouble();
      assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
      assertThat(score).isBetween(0.0, 1.0);
    }
    // The ground truth favours a high past click rate at the top position: the model must agree.
    assertThat(predictions.get(0).get("score").asDouble())
        .isGreaterThan(predictions.get(1).get("score").asDouble());
  }

  @Test
  void answersXmlWhenAskedFor() throws Exception {
    HttpResponse<String> r =
        s.post("/api/v1/models/ad-click/predict", SAMPLE_RECORDS, "application/xml");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).contains("xml"));
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(r.body().getBytes(StandardCharsets.UTF_8)));
    Element root = doc.getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("predictions");
    assertThat(root.getAttribute("model")).isEqualTo("ad-click");
    assertThat(root.getElementsByTagName("prediction").getLength()).isEqualTo(2);
    Element first = (Element) root.getElementsByTagName("prediction").item(0);
    assertThat(first.getAttribute("model_version")).isEqualTo("2");
    assertThat(first.getElementsByTagName("label").item(0).getTextContent())
        .isIn("click", "no_click");
    assertThat(first.getElementsByTagName("probabilities").item(0).getChildNodes().getLength())
        .isEqualTo(2);
  }

  @Test
  void answersCsvWithAHeaderAndOneRowPerRecord() {
    HttpResponse<String> r = s.post("/api/v1/models/ad-click/predict", SAMPLE_RECORDS, "text/csv");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String[] lines = r.body().strip().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0].strip())
        .isEqualTo("model,model_version,label,score,probabilities_0,probabilities_1");
    assertThat(lines[1]).startsWith("ad-click,2,");
    assertThat(lines[1].split(",")).hasSize(6);
  }

  @Test
  void refusesAnAcceptItCannotProduceWith406() {
    HttpResponse<String> r = s.post("/api/v1/models/ad-click/predict", SAMPLE_RECORDS, "image/png");
    assertThat(r.statusCode()).isEqualTo(406);
    assertThat(TestServer.json(r).get("error").asText())
        .contains("Accept")
        .contains("image/png")
        .contains("text/csv");
  }

  @Test
  void sameAnswerAsTheOpenInferenceProtocol() {
    JsonNode rec = TestServer.json(s.post("/api/v1/models/ad-click/predict", SAMPLE_RECORDS));
    String oip =
        """
        {"inputs": [
          {"name": "hour", "shape": [2], "datatype": "INT64", "data": [14, 3]},
          {"name": "ad_position", "shape": [2, 1], "datatype": "INT64", "data": [[1], [5]]},
          {"name": "user_past_ctr", "shape": [2], "datatype": "FP64", "data": [0.25, 0.0]},
          {"name": "user_age", "shape": [2], "datatype": "INT32", "data": [25, 65]},
          {"name": "device", "shape": [2], "datatype": "BYTES", "data": ["mobile", "desktop"]},
          {"name": "site_category", "shape": [2], "datatype": "BYTES", "data": ["games", "finance"]},
          {"name": "ad_size", "shape": [2], "datatype": "BYTES", "data": ["320x50", "160x600"]}],
         "outputs": [{"name": "score"}]}
        """;
    HttpResponse<String> r = s.post("/v2/models/ad-click/infer", oip);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode scores = TestServer.json(r).get("outputs").get(0).get("data");
    assertThat(scores.get(0).asDouble())
        .isEqualTo(rec.get("predictions").get(0).get("score").asDouble());
    assertThat(scores.get(1).asDouble())
        .isEqualTo(rec.get("predictions").get(1).get("score").asDouble());
  }

  @Test
  void plainColumnModelsTakeRecordsToo() {
    HttpResponse<String> r =
        s.post("/api/v1/models/id-int64/predict", "{\"records\": [{\"x\": 5}, {\"x\": -7}]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode p = TestServer.json(r).get("predictions");
    assertThat(p.get(0).get("y").asLong()).isEqualTo(5);
    assertThat(p.get(1).get("y").asLong()).isEqualTo(-7);
  }

  @Test
  void listsModelsAndDescribesOneWithSchemaAndMetrics() {
    JsonNode list = TestServer.json(s.get("/api/v1/models"));
    assertThat(list.get("models").findValuesAsText("name")).contains("ad-click", "add", "id-bytes");
    JsonNode model = TestServer.json(s.get("/api/v1/models/ad-click"));
    assertThat(model.get("schema").findValuesAsText("name")).contains("hour", "device");
    JsonNode v1 = model.get("versions").get(0);
    assertThat(v1.get("metrics").get("auc").asDouble()).isGreaterThan(0.6);
    assertThat(v1.get("sha256").asText()).hasSize(64);
  }
}
