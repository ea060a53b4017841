package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.api.DataType;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every endpoint and datatype of the KServe Open Inference Protocol v2 REST API. */
class OpenInferenceProtocolTest {
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
  void serverIsLiveAndReady() {
    HttpResponse<String> live = s.get("/v2/health/live");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(TestServer.json(live).get("live").asBoolean()).isTrue();
    HttpResponse<String> ready = s.get("/v2/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(TestServer.json(ready).get("ready").asBoolean()).isTrue();
  }

  @Test
  void serverMetadataNamesTheServerAndVersion() {
    JsonNode m = TestServer.json(s.get("/v2"));
    assertThat(m.get("name").asText()).isEqualTo("slipway");
    assertThat(m.get("version").asText()).isEqualTo(SlipwayServer.VERSION);
    assertThat(m.get("extensions").isArray()).isTrue();
  }

  @Test
  void modelMetadataListsVersionsPlatformInputsAndOutputs() {
    HttpResponse<String> r = s.get("/v2/models/add");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode m = TestServer.json(r);
    assertThat(m.get("name").asText()).isEqualTo("add");
    assertThat(m.get("versions").toString()).isEqualTo("[\"1\"]");
    assertThat(m.get("platform").asText()).isEqualTo("onnxruntime_onnx");
    assertThat(m.get("inputs").toString())
        .isEqualTo(
            "[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[-1,2]},{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]");
    assertThat(m.get("outputs").toString())
        .isEqualTo("[{\"name\":\"sum\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]");
  }

  @Test
  void versionedModelMetadataAndReadiness() {
    JsonNode m = TestServer.json(s.get("/v2/models/ad-click/versions/1"));
    assertThat(m.get("versions").toString()).isEqualTo("[\"1\",\"2\"]");
    assertThat(m.get("inputs").findValuesAsText("name")).contains("hour", "device");
    HttpResponse<String> ready = s.get("/v2/models/ad-click/versions/1/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(TestServer.json(ready).get("ready").asBoolean()).isTrue();
    assertThat(TestServer.json(ready).get("version").asText()).isEqualTo("1");
    HttpResponse<String> latest = s.get("/v2/models/ad-click/ready");
    assertThat(TestServer.json(latest).get("version").asText()).isEqualTo("2");
  }

  @Test
  void inferComputesWithFlatDataAndEchoesTheId() {
    HttpResponse<String> r =
        s.post(
            "/v2/models/add/infer",
            """
            {"id": "req-17", "inputs": [
              {"name": "a", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3, 4]},
              {"name": "b", "shape": [2, 2], "datatype": "FP32", "data": [10, 20, 30, 40]}]}
            """);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = TestServer.json(r);
    assertThat(body.get("id").asText()).isEqualTo("req-17");
    assertThat(body.get("model_name").asText()).isEqualTo("add");
    assertThat(body.get("model_version").asText()).isEqualTo("1");
    JsonNode out = body.get("outputs").get(0);
    assertThat(out.get("name").asText()).isEqualTo("sum");
    assertThat(out.get("datatype").asText()).isEqualTo("FP32");
    assertThat(out.get("shape").toString()).isEqualTo("[2,2]");
    assertThat(out.get("data").toString()).isEqualTo("[11.0,22.0,33.0,44.0]");
  }

  @Test
  void inferAcceptsNestedDataInRowMajorOrder() {
    HttpResponse<String> r =
        s.post(
            "/v2/models/add/versions/1/infer",
            """
            {"inputs": [
              {"name": "a", "shape": [2, 2], "datatype": "FP32", "data": [[1, 2], [3, 4]]},
              {"name": "b", "shape": [2, 2], "datatype": "FP32", "data": [[0, 0], [0, 1]]}]}
            """);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestServer.json(r).get("outputs").get(0).get("data").toString())
        .isEqualTo("[1.0,2.0,3.0,5.0]");
    assertThat(TestServer.json(r).has("id")).isFalse();
  }

  static Stream<Arguments> everyDatatype() {
    return Stream.of(
        Arguments.of("BOOL", "id-bool", "[true,false,true]"),
        Arguments.of("INT8", "id-int8", "[-128,0,127]"),
        Arguments.of("INT16", "id-int16", "[-32768,0,32767]"),
        Arguments.of("INT32", "id-int32", "[-2147483648,0,2147483647]"),
        Arguments.of("INT64", "id-int64", "[-9223372036854775808,0,9223372036854775807]"),
        Arguments.of("UINT8", "id-uint8", "[0,1,255]"),
        // ONNX Runtime's Java API takes no UINT16/32/64 inputs: such data is cast losslessly to the
        // model's type.
        Arguments.of("UINT16", "id-int32", "[0,1,65535]"),
        Arguments.of("UINT32", "id-int64", "[0,1,4294967295]"),
        Arguments.of("UINT64", "id-int64", "[0,1,9223372036854775807]"),
        Arguments.of("FP32", "id-fp32", "[-1.5,0.0,3.25]"),
        Arguments.of("FP64", "id-fp64", "[-1.5,1.0E-300,3.25]"),
        Arguments.of("BYTES", "id-bytes", "[\"a\",\"\",\"ünïcode\"]"));
  }

  @ParameterizedTest(name = "{0} through {1}")
  @MethodSource("everyDatatype")
  void everyDatatypeRoundTrips(String datatype, String model, String data) {
    String body =
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[3],\"datatype\":\""
            + datatype
            + "\",\"data\":"
            + data
            + "}]}";
    HttpResponse<String> r = s.post("/v2/models/" + model + "/infer", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode out = TestServer.json(r).get("outputs").get(0);
    assertThat(out.get("data").toString()).isEqualTo(data);
    String expectedType = model.substring(3).toUpperCase(Locale.ROOT);
    assertThat(out.get("datatype").asText()).isEqualTo(expectedType);
  }

  @Test
  void outputsSelectionReturnsOnlyTheNamedOutputs() {
    String body =
        """
        {"inputs": [
          {"name": "hour", "shape": [1], "datatype": "INT64", "data": [14]},
          {"name": "ad_position", "shape": [1], "datatype": "INT64", "data": [1]},
          {"name": "user_past_ctr", "shape": [1], "datatype": "FP64", "data": [0.12]},
          {"name": "user_age", "shape": [1], "datatype": "INT64", "data": [30]},
          {"name": "device", "shape": [1], "datatype": "BYTES", "data": ["mobile"]},
          {"name": "site_category", "shape": [1], "datatype": "BYTES", "data": ["games"]},
          {"name": "ad_size", "shape": [1], "datatype": "BYTES", "data": ["320x50"]}],
         "outputs": [{"name": "score"}]}
        """;
    HttpResponse<String> r = s.post("/v2/models/ad-click/infer", filterToSchema(body));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode outputs = TestServer.json(r).get("outputs");
    assertThat(outputs).hasSize(1);
    assertThat(outputs.get(0).get("name").asText()).isEqualTo("score");
    double score = outputs.get(0).get("data").get(0).asDouble();
    assertThat(score).isBetween(0.0, 1.0);
  }

  /** Keeps only inputs the demo model's schema has, so this test follows the generator's fields. */
  static String filterToSchema(String body) {
    JsonNode meta = TestServer.json(s.get("/v2/models/ad-click"));
    java.util.Set<String> names =
        new java.util.HashSet<>(meta.get("inputs").findValuesAsText("name"));
    try {
      var root = (com.fasterxml.jackson.databind.node.ObjectNode) TestServer.JSON.readTree(body);
      var inputs = (com.fasterxml.jackson.databind.node.ArrayNode) root.get("inputs");
      for (int i = inputs.size() - 1; i >= 0; i--) {
        if (!names.contains(inputs.get(i).get("name").asText())) {
          inputs.remove(i);
        }
      }
      assertThat(inputs.size())
          .as("the test covers every field of the demo schema")
          .isEqualTo(names.size());
      return root.toString();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aSpecificVersionAnswersWithThatVersion() {
    String body = s.get("/v2/models/ad-click").body();
    assertThat(body).contains("\"2\"");
    HttpResponse<String> r =
        s.post("/api/v1/models/ad-click/versions/1/predict", RecordsApiTest.SAMPLE_RECORDS);
    assertThat(TestServer.json(r).get("model_version").asText()).isEqualTo("1");
  }

  @Test
  void datatypeTypesAreCheckedAgainstTheModel() {
    assertThat(DataType.parse("fp32")).contains(DataType.FP32);
  }
}
