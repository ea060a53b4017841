package dev.slipway.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Tensor;
import dev.slipway.serving.InferenceRequest;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The OIP JSON parser: flat and nested data parse alike, and the element count must fit the shape.
 */
class OipJsonProperties {
  static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Provide
  Arbitrary<List<Integer>> shapes() {
    return Arbitraries.integers().between(0, 4).list().ofMinSize(1).ofMaxSize(3);
  }

  static ObjectNode request(List<Integer> shape, JsonNode data) {
    ObjectNode in = F.objectNode().put("name", "x").put("datatype", "INT64");
    ArrayNode s = in.putArray("shape");
    shape.forEach(s::add);
    in.set("data", data);
    ObjectNode root = F.objectNode();
    root.putArray("inputs").add(in);
    return root;
  }

  static int product(List<Integer> shape) {
    return shape.stream().reduce(1, (a, b) -> a * b);
  }

  /** Nests a flat list of values by the shape, row-major. */
  static JsonNode nest(List<Integer> shape, long[] values, int[] next, int dim) {
    ArrayNode a = F.arrayNode();
    for (int i = 0; i < shape.get(dim); i++) {
      if (dim == shape.size() - 1) {
        a.add(values[next[0]++]);
      } else {
        a.add(nest(shape, values, next, dim + 1));
      }
    }
    return a;
  }

  @Property(tries = 500)
  void flatAndNestedDataGiveTheSameTensor(
      @ForAll("shapes") List<Integer> shape, @ForAll long seed) {
    int n = product(shape);
    long[] values = new java.util.Random(seed).longs(n).toArray();
    ArrayNode flat = F.arrayNode();
    for (long v : values) {
      flat.add(v);
    }
    Tensor a = OipJson.parseInfer(request(shape, flat), "m", null).tensors().get(0);
    Tensor b =
        OipJson.parseInfer(request(shape, nest(shape, values, new int[] {0}, 0)), "m", null)
            .tensors()
            .get(0);
    assertThat(a).isEqualTo(b);
    assertThat((long[]) a.data()).containsExactly(values);
    assertThat(a.shape()).containsExactly(shape.stream().mapToLong(Integer::longValue).toArray());
  }

  @Property(tries = 500)
  void aWrongElementCountIsA400NamingTheData(
      @ForAll("shapes") List<Integer> shape, @ForAll @IntRange(min = 0, max = 70) int count) {
    if (count == product(shape)) {
      return;
    }
    ArrayNode data = F.arrayNode();
    for (int i = 0; i < count; i++) {
      data.add(i);
    }
    assertThatThrownBy(() -> OipJson.parseInfer(request(shape, data), "m", null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("inputs[0].data");
  }

  @Property(tries = 300)
  void garbageNeverEscapesAsAnythingButInvalidInput(
      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 9) Integer> picks) {
    JsonNode[] junk = {
      F.textNode("x"),
      F.nullNode(),
      F.booleanNode(true),
      F.numberNode(1.5),
      F.objectNode(),
      F.arrayNode(),
      F.numberNode(-1),
      F.textNode("INT64"),
      F.numberNode(new java.math.BigInteger("99999999999999999999")),
      F.arrayNode().add(F.arrayNode())
    };
    String[] keys = {
      "name", "shape", "datatype", "data", "inputs", "outputs", "id", "parameters", "shape", "data"
    };
    ObjectNode root = request(List.of(2), F.arrayNode().add(1).add(2));
    ObjectNode in = (ObjectNode) root.get("inputs").get(0);
    for (int i = 0; i + 1 < picks.size(); i += 2) {
      String key = keys[picks.get(i)];
      (key.equals("inputs") || key.equals("outputs") || key.equals("id") ? root : in)
          .set(key, junk[picks.get(i + 1)]);
    }
    try {
      InferenceRequest r = OipJson.parseInfer(root, "m", null);
      assertThat(r.tensors()).isNotEmpty();
    } catch (InvalidInputException e) {
      assertThat(e.getMessage()).startsWith("field '");
    }
  }
}
