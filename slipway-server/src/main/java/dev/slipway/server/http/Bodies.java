package dev.slipway.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import dev.slipway.api.InvalidInputException;
import java.io.IOException;

/** Reads request bodies as JSON trees. Thread-safe. */
final class Bodies {
  /**
   * NaN and Infinity literals parse, so that validation can name them instead of "malformed".
   * Numbers are written as the shortest decimal that reads back to the same value (jackson-core's
   * Schubfach writer), as batch outputs write them, so a prediction prints the same online and in a
   * batch file.
   */
  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          .build();

  private Bodies() {}

  /** The body as a JSON object, or a 400 naming the body. */
  static JsonNode object(AggregatedHttpRequest req) throws IOException {
    return object(req.content().array());
  }

  /** The body as a JSON object, or a 400 naming the body. */
  static JsonNode object(byte[] body) throws IOException {
    if (body.length == 0) {
      throw InvalidInputException.missing("body", "a JSON object");
    }
    JsonNode root;
    try (JsonParser p = JSON.createParser(body)) {
      root = JSON.readTree(p);
      if (p.nextToken() != null) {
        throw InvalidInputException.of("body", "trailing content", "a single JSON object");
      }
    }
    if (root == null || !root.isObject()) {
      throw InvalidInputException.of(
          "body",
          root == null
              ? "nothing"
              : root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT),
          "a JSON object");
    }
    return root;
  }
}
