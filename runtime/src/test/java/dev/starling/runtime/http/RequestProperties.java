package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.starling.runtime.testing.TestingServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated OIP v2 requests against the real app: valid ones for iris, mlp and types are answered
 * with the output shapes the model metadata promises; every mutation of a valid one is a 4xx with a
 * JSON error, never a 5xx or a dropped connection.
 */
class RequestProperties {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String RAW = "@@RAW@@";
  private static final List<String> DATATYPES =
      List.of(
          "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16",
          "FP32", "FP64", "BYTES");

  private static TestingServer server;
  private static final Map<String, JsonNode> METADATA = new HashMap<>();

  @BeforeContainer
  static void start() throws IOException {
    server = TestingServer.samples();
    for (String model : List.of("iris", "mlp", "types")) {
      HttpResponse<String> r = server.get("/v2/models/" + model);
      assertThat(r.statusCode()).isEqualTo(200);
      METADATA.put(model, MAPPER.readTree(r.body()));
    }
  }

  @AfterContainer
  static void stop() {
    server.close();
  }

  /** A valid request: its body as a tree (key order matters), and what the answer must hold. */
  record Valid(String model, ObjectNode body, int batch, Set<String> outputs, String id) {
    String text() {
      try {
        return MAPPER.writeValueAsString(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      String t = text();
      return model + " " + (t.length() <= 400 ? t : t.substring(0, 400) + "…");
    }
  }

  @Property(tries = 200)
  void validRequestsGetThePromisedOutputShapes(@ForAll("valid") Valid v) throws IOException {
    HttpResponse<String> r = server.post("/v2/models/" + v.model() + "/infer", v.text());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode answer = MAPPER.readTree(r.body());
    assertThat(answer.path("model_name").asText()).isEqualTo(v.model());
    if (v.id() != null) {
      assertThat(answer.path("id").asText()).isEqualTo(v.id());
    } else {
      assertThat(answer.has("id")).isFalse();
    }
    Map<String, JsonNode> promised = new HashMap<>();
    METADATA.get(v.model()).path("outputs").forEach(o -> promised.put(o.path("name").asText(), o));
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode out : answer.path("outputs")) {
      String name = out.path("name").asText();
      names.add(name);
      JsonNode meta = promised.get(name);
      assertThat(meta).as("output %s is in the metadata", name).isNotNull();
      assertThat(out.path("datatype").asText()).isEqualTo(meta.path("datatype").asText());
      JsonNode want = meta.path("shape");
      JsonNode got = out.path("shape");
      assertThat(got.size()).as("rank of %s", name).isEqualTo(want.size());
      assertThat(got.get(0).asLong()).as("first dimension of %s", name).isEqualTo(v.batch());
      long count = 1;
      for (int d = 0; d < want.size(); d++) {
        if (want.get(d).asLong() >= 0) {
          assertThat(got.get(d).asLong())
              .as("dimension %d of %s", d, name)
              .isEqualTo(want.get(d).asLong());
        }
        count *= got.get(d).asLong();
      }
      assertThat((long) out.path("data").size()).as("elements of %s", name).isEqualTo(count);
    }
    assertThat(names).isEqualTo(v.outputs() != null ? v.outputs() : promised.keySet());
  }

  @Property(tries = 200)
  void mutatedRequestsGetAClientError(
      @ForAll("valid") Valid v, @ForAll Mutation mutation, @ForAll long seed) throws IOException {
    Mutated m = mutation.apply(v, new Random(seed));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.url(m.path())))
            .POST(HttpRequest.BodyPublishers.ofString(m.body()))
            .header("Content-Type", m.contentType());

    HttpResponse<String> r = server.send(b.build());

    assertThat(r.statusCode()).as("%s → %s", m, r.body()).isBetween(400, 499);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode error = MAPPER.readTree(r.body()).path("error");
    assertThat(error.isTextual()).as(r.body()).isTrue();
    assertThat(error.asText()).isNotBlank().doesNotContain("at dev.", "Exception", "\tat ");
  }

  @Provide
  Arbitrary<Valid> valid() {
    return Arbitraries.oneOf(rows("iris", "float_input", 4), rows("mlp", "input", 64), types());
  }

  /** A [batch, width] FP32 model: batch 1..8, any finite floats, data flat or one row per array. */
  private Arbitrary<Valid> rows(String model, String input, int width) {
    return Arbitraries.integers()
        .between(1, 8)
        .flatMap(
            batch ->
                Combinators.combine(
                        tensor(
                            input,
                            "FP32",
                            new long[] {batch, width},
                            Arbitraries.floats()
                                .between(-Float.MAX_VALUE, Float.MAX_VALUE)
                                .map(f -> (JsonNode) FloatNode.valueOf(f))),
                        outputs(model),
                        ids(),
                        topOrder())
                    .as(
                        (in, outs, id, order) ->
                            request(model, List.of(in), batch, outs, id, order)));
  }

  /** types.onnx: one input per datatype, all of the same length n (they share the dim 'n'). */
  private Arbitrary<Valid> types() {
    return Arbitraries.integers()
        .between(1, 8)
        .flatMap(
            n -> {
              long[] shape = {n};
              List<Arbitrary<ObjectNode>> inputs =
                  List.of(
                      tensor(
                          "b",
                          "BOOL",
                          shape,
                          Arbitraries.of(true, false).map(BooleanNode::valueOf)),
                      tensor(
                          "u8",
                          "UINT8",
                          shape,
                          Arbitraries.integers().between(0, 255).map(IntNode::valueOf)),
                      tensor("i8", "INT8", shape, Arbitraries.bytes().map(x -> IntNode.valueOf(x))),
                      tensor(
                          "i16", "INT16", shape, Arbitraries.shorts().map(x -> IntNode.valueOf(x))),
                      tensor("i32", "INT32", shape, Arbitraries.integers().map(IntNode::valueOf)),
                      tensor("i64", "INT64", shape, Arbitraries.longs().map(LongNode::valueOf)),
                      tensor(
                          "f16",
                          "FP16",
                          shape,
                          Arbitraries.floats().between(-65504f, 65504f).map(FloatNode::valueOf)),
                      tensor(
                          "f32",
                          "FP32",
                          shape,
                          Arbitraries.floats()
                              .between(-Float.MAX_VALUE, Float.MAX_VALUE)
                              .map(FloatNode::valueOf)),
                      tensor(
                          "f64",
                          "FP64",
                          shape,
                          Arbitraries.doubles()
                              .between(-Double.MAX_VALUE, Double.MAX_VALUE)
                              .map(DoubleNode::valueOf)),
                      tensor("s", "BYTES", shape, strings().map(TextNode::valueOf)));
              return Combinators.combine(
                      Combinators.combine(inputs).as(l -> l).flatMap(Arbitraries::shuffle),
                      outputs("types"),
                      ids(),
                      topOrder())
                  .as((ins, outs, id, order) -> request("types", ins, n, outs, id, order));
            });
  }

  /** One input tensor with its keys in any order ('data' may come before 'name'). */
  private static Arbitrary<ObjectNode> tensor(
      String name, String datatype, long[] shape, Arbitrary<? extends JsonNode> element) {
    int count = (int) (shape[0] * (shape.length > 1 ? shape[1] : 1));
    Arbitrary<List<String>> keyOrder = Arbitraries.shuffle("name", "datatype", "shape", "data");
    return Combinators.combine(element.list().ofSize(count), keyOrder, Arbitraries.of(false, true))
        .as(
            (values, order, nested) -> {
              ObjectNode in = NODES.objectNode();
              for (String key : order) {
                switch (key) {
                  case "name" -> in.put("name", name);
                  case "datatype" -> in.put("datatype", datatype);
                  case "shape" -> {
                    ArrayNode s = in.putArray("shape");
                    for (long d : shape) {
                      s.add(d);
                    }
                  }
                  default -> in.set("data", data(values, shape, nested));
                }
              }
              return in;
            });
  }

  /** Flat, or for a rank-2 shape optionally one nested array per row. */
  private static ArrayNode data(List<? extends JsonNode> values, long[] shape, boolean nested) {
    ArrayNode data = NODES.arrayNode();
    if (!nested || shape.length < 2) {
      values.forEach(data::add);
      return data;
    }
    int width = (int) shape[1];
    for (int r = 0; r < shape[0]; r++) {
      ArrayNode row = data.addArray();
      values.subList(r * width, (r + 1) * width).forEach(row::add);
    }
    return data;
  }

  private static Valid request(
      String model,
      List<ObjectNode> inputs,
      int batch,
      Set<String> outputs,
      String id,
      List<String> order) {
    ObjectNode body = NODES.objectNode();
    for (String key : order) {
      switch (key) {
        case "inputs" -> body.putArray("inputs").addAll(inputs);
        case "id" -> {
          if (id != null) {
            body.put("id", id);
          }
        }
        default -> {
          if (outputs != null) {
            ArrayNode outs = body.putArray("outputs");
            outputs.forEach(o -> outs.addObject().put("name", o));
          }
        }
      }
    }
    return new Valid(model, body, batch, outputs, id);
  }

  private static Arbitrary<List<String>> topOrder() {
    return Arbitraries.shuffle("inputs", "id", "outputs");
  }

  /** A non-empty subset of the model's outputs, or null for all of them. */
  private static Arbitrary<Set<String>> outputs(String model) {
    List<String> names = new ArrayList<>();
    METADATA.get(model).path("outputs").forEach(o -> names.add(o.path("name").asText()));
    return Arbitraries.subsetOf(names)
        .filter(s -> !s.isEmpty())
        .map(s -> (Set<String>) new LinkedHashSet<>(s))
        .injectNull(0.5);
  }

  private static Arbitrary<String> ids() {
    return Arbitraries.strings()
        .alpha()
        .numeric()
        .withChars("-_.")
        .ofMinLength(1)
        .ofMaxLength(24)
        .injectNull(0.5);
  }

  /** Strings with ASCII, control characters, Latin and CJK letters (no lone surrogates). */
  private static Arbitrary<String> strings() {
    return Arbitraries.strings()
        .withCharRange('\u0000', '\u007f')
        .withCharRange('\u00a0', '\u024f')
        .withCharRange('\u4e00', '\u4e40')
        .ofMaxLength(16);
  }

  /** A mutated request: where it goes, its content type and its body. */
  record Mutated(String path, String contentType, String body) {
    @Override
    public String toString() {
      return path
          + " ["
          + contentType
          + "] "
          + (body.length() <= 300 ? body : body.substring(0, 300) + "…");
    }
  }

  /** Ways to break a valid request; each must make it a client error. */
  enum Mutation {
    DROP_REQUIRED_KEY {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        if (rnd.nextInt(5) == 0) {
          body.remove("inputs");
        } else {
          input(body, rnd).remove(pick(List.of("name", "datatype", "shape", "data"), rnd));
        }
        return body;
      }
    },
    NULL_REQUIRED_VALUE {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        input(body, rnd)
            .set(pick(List.of("name", "datatype", "shape", "data"), rnd), NullNode.instance);
        return body;
      }
    },
    CHANGE_A_DIMENSION {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        ArrayNode shape = (ArrayNode) input(body, rnd).get("shape");
        int d = rnd.nextInt(shape.size());
        long cur = shape.get(d).asLong();
        long[] choices = {
          0, cur + 1, cur * 2 + 1, -1, 1L << 40, Long.MAX_VALUE, cur > 1 ? cur - 1 : 0
        };
        shape.set(d, LongNode.valueOf(choices[rnd.nextInt(choices.length)]));
        return body;
      }
    },
    ADD_A_DIMENSION {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        ((ArrayNode) input(body, rnd).get("shape")).add(1);
        return body;
      }
    },
    CHANGE_THE_DATATYPE {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        ObjectNode in = input(body, rnd);
        List<String> others = new ArrayList<>(DATATYPES);
        others.remove(in.get("datatype").asText());
        others.addAll(List.of("FLOAT32", "fp32", "", "INT"));
        in.put("datatype", pick(others, rnd));
        return body;
      }
    },
    INSERT_A_STRING_INTO_DATA {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        ArrayNode data = (ArrayNode) input(body, rnd).get("data");
        data.insert(rnd.nextInt(data.size() + 1), "oops");
        return body;
      }
    },
    REMOVE_AN_ELEMENT {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        ArrayNode data = (ArrayNode) input(body, rnd).get("data");
        data.remove(rnd.nextInt(data.size()));
        return body;
      }
    },
    DUPLICATE_AN_INPUT {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        ((ArrayNode) body.get("inputs")).add(input(body, rnd).deepCopy());
        return body;
      }
    },
    RENAME_AN_INPUT {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        ObjectNode in = input(body, rnd);
        in.put("name", "not_" + in.get("name").asText());
        return body;
      }
    },
    ASK_FOR_AN_UNKNOWN_OUTPUT {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        body.putArray("outputs").addObject().put("name", "no_such_output");
        return body;
      }
    },
    DATA_NOT_AN_ARRAY {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        input(body, rnd).set("data", rnd.nextBoolean() ? IntNode.valueOf(1) : NODES.objectNode());
        return body;
      }
    },
    NEST_DATA_TOO_DEEP {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        ObjectNode in = input(body, rnd);
        JsonNode inner = in.get("data");
        for (int i = 0; i < 40; i++) {
          inner = NODES.arrayNode().add(inner);
        }
        in.set("data", inner);
        return body;
      }
    },
    NAN_LITERAL {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        setLeaf((ArrayNode) input(body, rnd).get("data"), rnd, TextNode.valueOf(RAW));
        return body;
      }

      @Override
      String text(String json, Random rnd) {
        return json.replace('"' + RAW + '"', pick(List.of("NaN", "Infinity", "-Infinity"), rnd));
      }
    },
    OUT_OF_RANGE_VALUE {
      @Override
      ObjectNode tree(ObjectNode body, Random rnd) {
        ObjectNode in = input(body, rnd);
        String bad =
            switch (in.get("datatype").asText()) {
              case "BOOL" -> "2";
              case "UINT8" -> "256";
              case "INT8" -> "-129";
              case "INT16" -> "32768";
              case "INT32" -> "-2147483649";
              case "INT64" -> "9223372036854775808";
              case "FP16" -> "70000";
              case "FP64" -> "1e309";
              case "BYTES" -> "3";
              default -> "1e39";
            };
        setLeaf((ArrayNode) in.get("data"), rnd, TextNode.valueOf(RAW + bad));
        return body;
      }

      @Override
      String text(String json, Random rnd) {
        return json.replaceAll('"' + RAW + "([^\"]*)\"", "$1");
      }
    },
    DUPLICATE_A_KEY {
      @Override
      String text(String json, Random rnd) {
        return "{\"inputs\":[]," + json.substring(1);
      }
    },
    TRUNCATE {
      @Override
      String text(String json, Random rnd) {
        return json.substring(0, rnd.nextInt(json.length()));
      }
    },
    TRAILING_GARBAGE {
      @Override
      String text(String json, Random rnd) {
        return json + pick(List.of("x", "}", "{}", "[", ",", "null", "]", "\"", "0"), rnd);
      }
    },
    NOT_AN_OBJECT {
      @Override
      String text(String json, Random rnd) {
        return "[" + json + "]";
      }
    },
    WRONG_CONTENT_TYPE {
      @Override
      String contentType(Random rnd) {
        return pick(
            List.of("text/plain", "application/xml", "multipart/form-data", "application/jsonx"),
            rnd);
      }
    },
    UNKNOWN_MODEL {
      @Override
      String path(String model, Random rnd) {
        return "/v2/models/"
            + pick(List.of(model + "x", "..", "a..b", model.toUpperCase()), rnd)
            + "/infer";
      }
    };

    ObjectNode tree(ObjectNode body, Random rnd) {
      return body;
    }

    String text(String json, Random rnd) {
      return json;
    }

    String contentType(Random rnd) {
      return "application/json";
    }

    String path(String model, Random rnd) {
      return "/v2/models/" + model + "/infer";
    }

    Mutated apply(Valid v, Random rnd) {
      try {
        String json = MAPPER.writeValueAsString(tree(v.body().deepCopy(), rnd));
        return new Mutated(path(v.model(), rnd), contentType(rnd), text(json, rnd));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static ObjectNode input(ObjectNode body, Random rnd) {
      ArrayNode inputs = (ArrayNode) body.get("inputs");
      return (ObjectNode) inputs.get(rnd.nextInt(inputs.size()));
    }

    /** Replaces one element of a (possibly nested) data array. */
    static void setLeaf(ArrayNode data, Random rnd, JsonNode value) {
      int i = rnd.nextInt(data.size());
      if (data.get(i).isArray()) {
        setLeaf((ArrayNode) data.get(i), rnd, value);
      } else {
        data.set(i, value);
      }
    }

    static <T> T pick(List<T> choices, Random rnd) {
      return choices.get(rnd.nextInt(choices.size()));
    }
  }
}
