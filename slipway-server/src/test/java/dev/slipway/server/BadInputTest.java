package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad requests get a 4xx whose error names the field, the value and what was expected; none gets a
 * 5xx, and the server keeps answering.
 */
class BadInputTest {
  static TestServer s;

  @BeforeAll
  static void start() {
    s = new TestServer(c -> c.withMaxRequestBytes(64 * 1024));
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @AfterEach
  void serverStillAnswers() {
    assertThat(s.get("/v2/health/live").statusCode()).isEqualTo(200);
    assertThat(s.post("/v2/models/add/infer", add("[1, 2]", "FP32", "[1, 2]")).statusCode())
        .isEqualTo(200);
  }

  static String add(String shape, String datatype, String data) {
    return "{\"inputs\":[{\"name\":\"a\",\"shape\":"
        + shape
        + ",\"datatype\":\""
        + datatype
        + "\",\"data\":"
        + data
        + "},{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[0,0]}]}";
  }

  static String error(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).contains("json"));
    JsonNode body = TestServer.json(r);
    assertThat(body.fieldNames()).toIterable().containsExactly("error");
    String e = body.get("error").asText();
    assertThat(e).doesNotContain("Exception").doesNotContain("\tat ");
    return e;
  }

  @Test
  void malformedJsonNamesTheBodyAndWhere() {
    String e = error(s.post("/v2/models/add/infer", "{\"inputs\": [ {\"name\": "), 400);
    assertThat(e).contains("body").contains("malformed JSON").contains("line 1");
  }

  @Test
  void aBodyThatIsNotAnObject() {
    assertThat(error(s.post("/v2/models/add/infer", "[1,2,3]"), 400))
        .contains("body")
        .contains("array")
        .contains("JSON object");
    assertThat(error(s.post("/v2/models/add/infer", ""), 400)).contains("body").contains("missing");
  }

  @Test
  void anUnknownDatatype() {
    String e = error(s.post("/v2/models/add/infer", add("[1, 2]", "FLOAT", "[1, 2]")), 400);
    assertThat(e).contains("inputs[0].datatype").contains("\"FLOAT\"").contains("FP32");
  }

  @Test
  void aDatatypeTheModelDoesNotTake() {
    String e = error(s.post("/v2/models/add/infer", add("[1, 2]", "BYTES", "[\"1\", \"2\"]")), 400);
    assertThat(e).contains("inputs[0].datatype").contains("BYTES").contains("FP32");
  }

  @Test
  void aValueOfTheWrongType() {
    String e = error(s.post("/v2/models/add/infer", add("[1, 2]", "FP32", "[1, \"two\"]")), 400);
    assertThat(e).contains("inputs[0].data[1]").contains("\"two\"").contains("number");
  }

  @Test
  void anIntegerOutOfRangeForItsDatatype() {
    String body =
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"INT8\",\"data\":[1, 300]}]}";
    String e = error(s.post("/v2/models/id-int8/infer", body), 400);
    assertThat(e).contains("inputs[0].data[1]").contains("300").contains("[-128, 127]");
  }

  @Test
  void aShapeThatDoesNotMatchTheDataLength() {
    String e = error(s.post("/v2/models/add/infer", add("[1, 2]", "FP32", "[1, 2, 3]")), 400);
    assertThat(e).contains("inputs[0].data").contains("2 values").contains("[1,2]");
    String e2 = error(s.post("/v2/models/add/infer", add("[2, 2]", "FP32", "[1, 2, 3]")), 400);
    assertThat(e2).contains("inputs[0].data").contains("3 values").contains("4 values");
  }

  @Test
  void aShapeFarLargerThanItsDataIsRefusedBeforeAnythingIsAllocated() {
    // a few bytes of request must not make the server allocate gigabytes (found by
    // GuardedBadInputProperties: a shape of [2147483647] used to allocate before counting)
    for (String shape : new String[] {"[2147483647]", "[100000000]", "[1000, 1000000]"}) {
      String body =
          "{\"inputs\":[{\"name\":\"x\",\"shape\":"
              + shape
              + ",\"datatype\":\"FP64\",\"data\":[1]}]}";
      String e = error(s.post("/v2/models/id-fp64/infer", body), 400);
      assertThat(e).contains("inputs[0].data").contains("1 values");
    }
  }

  @Test
  void aShapeTheModelDoesNotTake() {
    String e = error(s.post("/v2/models/add/infer", add("[1, 3]", "FP32", "[1, 2, 3]")), 400);
    assertThat(e).contains("inputs[0].shape").contains("[1, 3]").contains("[-1, 2]");
  }

  @Test
  void aNegativeDimension() {
    String e = error(s.post("/v2/models/add/infer", add("[-1, 2]", "FP32", "[1, 2]")), 400);
    assertThat(e).contains("inputs[0].shape[0]").contains("-1").contains("non-negative");
  }

  @Test
  void anUnknownModelIs404NamingIt() {
    String e =
        error(s.post("/v2/models/no-such-model/infer", add("[1, 2]", "FP32", "[1, 2]")), 404);
    assertThat(e).contains("no-such-model");
    assertThat(error(s.get("/v2/models/no-such-model"), 404)).contains("no-such-model");
    assertThat(error(s.get("/v2/models/no-such-model/ready"), 404)).contains("no-such-model");
  }

  @Test
  void anUnknownVersionIs404ListingTheVersions() {
    String e =
        error(s.post("/v2/models/add/versions/9/infer", add("[1, 2]", "FP32", "[1, 2]")), 404);
    assertThat(e).contains("add").contains("9").contains("[1]");
    assertThat(
            error(
                s.post("/v2/models/add/versions/latest-ish/infer", add("[1, 2]", "FP32", "[1, 2]")),
                400))
        .contains("version")
        .contains("latest-ish");
  }

  @Test
  void aMissingInput() {
    String body =
        "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";
    assertThat(error(s.post("/v2/models/add/infer", body), 400)).contains("inputs").contains("'b'");
    assertThat(error(s.post("/v2/models/add/infer", "{\"id\": \"x\"}"), 400))
        .contains("inputs")
        .contains("missing");
  }

  @Test
  void anUnknownInputOrOutputName() {
    String body =
        "{\"inputs\":[{\"name\":\"c\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";
    assertThat(error(s.post("/v2/models/add/infer", body), 400))
        .contains("inputs[0].name")
        .contains("\"c\"")
        .contains("[a, b]");
    String out =
        add("[1, 2]", "FP32", "[1, 2]")
            .replaceFirst("}$", ",\"outputs\":[{\"name\":\"product\"}]}");
    assertThat(error(s.post("/v2/models/add/infer", out), 400))
        .contains("outputs")
        .contains("product")
        .contains("[sum]");
  }

  @Test
  void nanWhereANumberIsNeeded() {
    String e = error(s.post("/v2/models/add/infer", add("[1, 2]", "FP32", "[1, NaN]")), 400);
    assertThat(e).contains("inputs[0].data[1]").contains("NaN").contains("finite");
    String rec =
        "{\"records\":[{\"hour\":1,\"ad_position\":1,\"user_past_ctr\":NaN,\"user_age\":30,\"device\":\"mobile\",\"site_category\":\"news\",\"ad_size\":\"728x90\"}]}";
    String e2 = error(s.post("/api/v1/models/ad-click/predict", rec), 400);
    assertThat(e2).contains("records[0].user_past_ctr").contains("NaN").contains("finite");
  }

  @Test
  void aBodyOverTheSizeLimitIs413() {
    StringBuilder big = new StringBuilder("{\"records\":[");
    while (big.length() < 100 * 1024) {
      big.append("{\"hour\": 1, \"device\": \"mobile\"},");
    }
    big.append("{}]}");
    String e = error(s.post("/api/v1/models/ad-click/predict", big.toString()), 413);
    assertThat(e).contains("body").contains("65536").contains("maxRequestBytes");
  }

  @Test
  void recordsWithMissingFieldsWrongTypesAndNestedValues() {
    String missing = "{\"records\":[{\"hour\":1}]}";
    assertThat(error(s.post("/api/v1/models/ad-click/predict", missing), 400))
        .contains("records[0].")
        .contains("missing");
    String wrong =
        "{\"records\":[{\"hour\":\"noon\",\"ad_position\":1,\"user_past_ctr\":0.1,\"user_age\":30,\"device\":\"mobile\",\"site_category\":\"news\",\"ad_size\":\"728x90\"}]}";
    assertThat(error(s.post("/api/v1/models/ad-click/predict", wrong), 400))
        .contains("records[0].hour")
        .contains("\"noon\"")
        .contains("number");
    String nested = "{\"records\":[{\"hour\":{\"h\":1}}]}";
    assertThat(error(s.post("/api/v1/models/ad-click/predict", nested), 400))
        .contains("records[0].hour")
        .contains("{\"h\":1}");
    assertThat(error(s.post("/api/v1/models/ad-click/predict", "{\"records\":[]}"), 400))
        .contains("records")
        .contains("at least one");
    assertThat(error(s.post("/api/v1/models/ad-click/predict", "{\"rows\":[]}"), 400))
        .contains("records")
        .contains("missing");
  }

  @Test
  void unknownPathsAndMethodsAnswerJson() {
    assertThat(error(s.get("/v3/nothing"), 404)).contains("/v3/nothing");
  }

  @Test
  void nothingAbove499WasCounted() {
    String metrics = s.get("/metrics").body();
    assertThat(metrics)
        .doesNotContain("kind=\"internal\"")
        .doesNotContain("kind=\"model_failure\"");
  }
}
