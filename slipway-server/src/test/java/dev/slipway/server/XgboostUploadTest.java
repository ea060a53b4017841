package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An XGBoost model uploaded over REST ({@code ?format=xgboost}) is registered, verified and served
 * over the Open Inference Protocol with XGBoost's own predictions; damaged or foreign files and
 * inputs of the wrong width are refused with 400.
 */
class XgboostUploadTest {
  private static final int FEATURES = 5;
  private static final int ROWS = 64;

  static TestServer s;
  static Booster booster;
  static float[] x;
  // OIP JSON carries finite numbers only, so the rows sent have no missing values.
  static float[] rows;

  @BeforeAll
  static void start() throws Exception {
    s = new TestServer();
    // Seeded data with a known rule: y = 1 when x0 + 2 x1 - x2 > 0; some values missing (NaN).
    Random random = new Random(11);
    x = new float[ROWS * 4 * FEATURES];
    float[] y = new float[ROWS * 4];
    for (int r = 0; r < y.length; r++) {
      for (int c = 0; c < FEATURES; c++) {
        x[r * FEATURES + c] =
            random.nextDouble() < 0.03 ? Float.NaN : (float) random.nextGaussian();
      }
      float[] v = Arrays.copyOfRange(x, r * FEATURES, r * FEATURES + 3);
      y[r] = nz(v[0]) + 2 * nz(v[1]) - nz(v[2]) > 0 ? 1 : 0;
    }
    rows = new float[ROWS * FEATURES];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (float) random.nextGaussian();
    }
    DMatrix train = new DMatrix(x, y.length, FEATURES, Float.NaN);
    try {
      train.setLabel(y);
      booster =
          XGBoost.train(
              train,
              Map.of("objective", "binary:logistic", "max_depth", 3, "nthread", 1, "seed", 3),
              15,
              Map.of(),
              null,
              null);
    } finally {
      train.dispose();
    }
  }

  private static float nz(float v) {
    return Float.isNaN(v) ? 0 : v;
  }

  @AfterAll
  static void stop() {
    s.close();
    booster.dispose();
  }

  private static byte[] saved(String extension) throws Exception {
    Path file = Files.createTempFile(s.home, "xgb-", extension);
    try {
      booster.saveModel(file.toString());
      return Files.readAllBytes(file);
    } finally {
      Files.delete(file);
    }
  }

  private static HttpResponse<String> upload(String name, byte[] body, String query) {
    return s.send(
        HttpRequest.newBuilder(
                URI.create(s.base() + "/api/v1/models/" + name + "/versions" + query))
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private static String inferBody(float[] rows, int n, int width) {
    ObjectNode input = TestServer.JSON.createObjectNode();
    input.put("name", "input").put("datatype", "FP32");
    input.putArray("shape").add(n).add(width);
    ArrayNode data = input.putArray("data");
    for (float v : rows) {
      data.add(v);
    }
    ObjectNode body = TestServer.JSON.createObjectNode();
    body.putArray("inputs").add(input);
    return body.toString();
  }

  @Test
  void anUploadedXgboostModelServesXgboostsOwnPredictionsOverOip() throws Exception {
    byte[] model = saved(".ubj");
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
    HttpResponse<String> created = upload("xgb-rule", model, "?format=xgboost&sha256=" + sha);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode v = TestServer.json(created);
    assertThat(v.get("format").asText()).isEqualTo("xgboost");
    assertThat(v.toString()).contains("VERIFIED");

    JsonNode meta = TestServer.json(s.get("/v2/models/xgb-rule"));
    assertThat(meta.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,5]");

    HttpResponse<String> r = s.post("/v2/models/xgb-rule/infer", inferBody(rows, ROWS, FEATURES));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode out = TestServer.json(r).get("outputs").get(0);
    assertThat(out.get("datatype").asText()).isEqualTo("FP32");
    assertThat(out.get("shape").toString()).isEqualTo("[" + ROWS + ",1]");

    float[][] expected;
    DMatrix m = new DMatrix(rows, ROWS, FEATURES, Float.NaN);
    try {
      expected = booster.predict(m);
    } finally {
      m.dispose();
    }
    double maxError = 0;
    for (int i = 0; i < ROWS; i++) {
      maxError = Math.max(maxError, Math.abs(expected[i][0] - out.get("data").get(i).floatValue()));
    }
    System.out.printf("xgboost over REST: max |error| = %.3e over %d rows%n", maxError, ROWS);
    assertThat(maxError).isLessThanOrEqualTo(1e-6);
  }

  @Test
  void aJsonModelUploadsToo() throws Exception {
    HttpResponse<String> created = upload("xgb-json", saved(".json"), "?format=xgboost");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    HttpResponse<String> r =
        s.post("/v2/models/xgb-json/infer", inferBody(Arrays.copyOf(rows, FEATURES), 1, FEATURES));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Test
  void aTruncatedOrForeignFileIsRefusedAndNothingIsRegistered() throws Exception {
    byte[] model = saved(".ubj");
    HttpResponse<String> cut =
        upload("xgb-cut", Arrays.copyOf(model, model.length / 2), "?format=xgboost");
    assertThat(cut.statusCode()).as(cut.body()).isEqualTo(400);
    assertThat(TestServer.json(cut).get("error").asText()).contains("model").contains("XGBoost");
    assertThat(s.get("/api/v1/models/xgb-cut/versions").statusCode()).isEqualTo(404);

    byte[] lightgbm =
        "tree\nversion=v4\nnum_class=1\nmax_feature_idx=4\n".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> foreign = upload("xgb-foreign", lightgbm, "?format=xgboost");
    assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(400);
    assertThat(s.get("/api/v1/models/xgb-foreign/versions").statusCode()).isEqualTo(404);

    // And an XGBoost model declared as ONNX (the default format) is refused by ONNX Runtime.
    HttpResponse<String> undeclared = upload("xgb-as-onnx", model, "");
    assertThat(undeclared.statusCode()).as(undeclared.body()).isEqualTo(400);
  }

  @Test
  void anInputOfTheWrongWidthIs400() throws Exception {
    assertThat(upload("xgb-width", saved(".ubj"), "?format=xgboost").statusCode()).isEqualTo(201);
    HttpResponse<String> r =
        s.post("/v2/models/xgb-width/infer", inferBody(new float[] {1, 2, 3, 4}, 1, 4));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(TestServer.json(r).get("error").asText()).contains("shape").contains("[-1, 5]");
  }
}
