package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.starling.runtime.config.AuthConfig;
import dev.starling.runtime.config.BatchingConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.ServerConfig;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of malformed requests sent to the real app: each must get its 4xx status, a JSON {@code
 * error} that names the problem and holds no stack trace, and must leave the server answering.
 */
class MalformedRequestsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String IRIS = Samples.file("iris.request.json");
  private static final String JSON = "application/json";
  private static final int MIB = 1024 * 1024;

  private static final String API_KEY = "corpus-key-0123456789abcdef";

  private static TestingServer server;

  /** The same models behind API keys, with dynamic batching on for every model. */
  private static TestingServer secured;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws IOException {
    server = TestingServer.samples();
    Path keys = dir.resolve("api-keys");
    Files.writeString(keys, "corpus:" + API_KEY + "\n");
    secured =
        TestingServer.samples(
            new RuntimeConfig(null, null, null, null, null)
                .withAuth(new AuthConfig(keys.toString(), true, null)),
            m -> m.withBatching(new BatchingConfig(16, Duration.ofMillis(2))));
  }

  @AfterAll
  static void stop() {
    server.close();
    secured.close();
  }

  /** One malformed request and what the server must answer. */
  record Case(
      String name,
      String method,
      String path,
      String contentType,
      Supplier<byte[]> body,
      int status,
      List<String> errors) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> corpus() {
    List<Case> c = new ArrayList<>();

    // Shapes.
    c.add(v2("rank 1 for a rank-2 input", "iris", iris("[4]", "FP32", "[1,2,3,4]"), "rank 1"));
    c.add(v2("rank 3 for a rank-2 input", "iris", iris("[1,1,4]", "FP32", "[1,2,3,4]"), "rank 3"));
    c.add(
        v2(
            "fixed dimension mismatch",
            "iris",
            iris("[1,3]", "FP32", "[1,2,3]"),
            "dimension 1 is 3, the model expects 4"));
    c.add(
        v2(
            "image with the wrong fixed dimensions",
            "heavy",
            "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,1,1],\"datatype\":\"FP32\",\"data\":[0]}]}",
            "dimension 2 is 1, the model expects 32"));
    c.add(
        v2(
            "negative dimension",
            "iris",
            iris("[-1,4]", "FP32", "[1,2,3,4]"),
            "negative dimension -1"));
    c.add(
        v2(
            "shape [16, 2^60] overflows a long",
            "iris",
            iris("[16,1152921504606846976]", "FP32", "[1,2,3,4]"),
            "exceeds the limit of 4194304 elements"));
    c.add(
        v2(
            "dimension 2^63-1",
            "iris",
            iris("[1,9223372036854775807]", "FP32", "[1,2,3,4]"),
            "exceeds the limit of 4194304 elements"));
    c.add(
        v2(
            "dimension 2^63 does not fit a long",
            "iris",
            iris("[1,9223372036854775808]", "FP32", "[1,2,3,4]"),
            "9223372036854775808 is too large"));
    c.add(
        v2(
            "huge shape after the data",
            "iris",
            irisInput(
                "\"name\":\"float_input\",\"datatype\":\"FP32\",\"data\":[1,2,3,4],"
                    + "\"shape\":[16,1152921504606846976]"),
            "exceeds the limit of 4194304 elements"));
    c.add(
        v2(
            "fractional dimension",
            "iris",
            iris("[1,4.0]", "FP32", "[1,2,3,4]"),
            "'shape' must be an array of integers"));
    c.add(
        v2(
            "string dimension",
            "iris",
            iris("[1,\"4\"]", "FP32", "[1,2,3,4]"),
            "'shape' must be an array of integers"));
    c.add(
        v2(
            "shape not an array",
            "iris",
            iris("4", "FP32", "[1,2,3,4]"),
            "'shape' must be an array of integers"));
    c.add(
        v2(
            "nine dimensions",
            "iris",
            iris("[1,1,1,1,1,1,1,1,4]", "FP32", "[1,2,3,4]"),
            "more than 8 dimensions"));
    c.add(
        v2(
            "shape larger than the body can carry",
            "iris",
            iris("[1000,4]", "FP32", "[1,2,3,4]"),
            "holds 4000 elements",
            "body can carry"));

    // Element count against data, both ways.
    c.add(
        v2(
            "more data than the shape holds",
            "iris",
            iris("[1,4]", "FP32", "[1,2,3,4,5]"),
            "more elements than its shape holds (4)"));
    c.add(
        v2(
            "less data than the shape holds",
            "iris",
            iris("[2,4]", "FP32", "[1,2,3,4]"),
            "holds 8 elements but 'data' has 4"));
    c.add(
        v2(
            "less data than a shape given after it",
            "iris",
            irisInput(
                "\"name\":\"float_input\",\"datatype\":\"FP32\",\"data\":[1,2,3,4],\"shape\":[2,4]"),
            "holds 8 elements but 'data' has 4"));
    c.add(
        v2("empty data", "iris", iris("[1,4]", "FP32", "[]"), "holds 4 elements but 'data' has 0"));
    c.add(
        v2(
            "data for a zero-size shape",
            "iris",
            iris("[0,4]", "FP32", "[1,2,3,4]"),
            "more elements than its shape holds (0)"));

    // Datatype against data, for every datatype of types.onnx.
    c.add(v2("string in FP32", "types", types("f32", "FP32", "[\"x\"]"), "a string where FP32"));
    c.add(
        v2(
            "float in INT32",
            "types",
            types("i32", "INT32", "[1.5]"),
            "a fractional number where INT32 needs an integer"));
    c.add(
        v2(
            "INT8 above range",
            "types",
            types("i8", "INT8", "[128]"),
            "128 is out of range for INT8"));
    c.add(
        v2(
            "INT8 below range",
            "types",
            types("i8", "INT8", "[-129]"),
            "-129 is out of range for INT8"));
    c.add(
        v2(
            "UINT8 negative",
            "types",
            types("u8", "UINT8", "[-1]"),
            "-1 is out of range for UINT8"));
    c.add(v2("UINT8 256", "types", types("u8", "UINT8", "[256]"), "256 is out of range for UINT8"));
    c.add(
        v2(
            "INT16 above range",
            "types",
            types("i16", "INT16", "[32768]"),
            "out of range for INT16"));
    c.add(
        v2(
            "INT32 above range",
            "types",
            types("i32", "INT32", "[2147483648]"),
            "2147483648 is out of range for INT32"));
    c.add(
        v2(
            "INT64 above range",
            "types",
            types("i64", "INT64", "[9223372036854775808]"),
            "9223372036854775808 is out of range for INT64"));
    c.add(
        v2(
            "INT64 below range",
            "types",
            types("i64", "INT64", "[-9223372036854775809]"),
            "out of range for INT64"));
    c.add(
        v2(
            "1e39 in FP32",
            "types",
            types("f32", "FP32", "[1e39]"),
            "1e39 is out of range for FP32"));
    c.add(
        v2(
            "1e309 in FP64",
            "types",
            types("f64", "FP64", "[1e309]"),
            "1e309 is out of range for FP64"));
    c.add(
        v2(
            "70000 in FP16",
            "types",
            types("f16", "FP16", "[70000]"),
            "70000 is out of range for FP16"));
    c.add(
        v2(
            "number in BOOL",
            "types",
            types("b", "BOOL", "[1]"),
            "an integer where BOOL needs true or false"));
    c.add(
        v2(
            "number in BYTES",
            "types",
            types("s", "BYTES", "[1]"),
            "an integer where BYTES needs a string"));
    c.add(
        v2(
            "boolean in INT64",
            "types",
            types("i64", "INT64", "[true]"),
            "a boolean where INT64 needs an integer"));
    c.add(
        v2(
            "null in FP64",
            "types",
            types("f64", "FP64", "[null]"),
            "null where FP64 needs a number"));
    c.add(
        v2(
            "object in data",
            "iris",
            iris("[1,4]", "FP32", "[1,2,3,{\"v\":4}]"),
            "data[3]: an object where FP32 needs a number"));

    // Declared datatypes.
    c.add(
        v2(
            "declared datatype is not the model's",
            "iris",
            iris("[1,4]", "FP64", "[1,2,3,4]"),
            "datatype FP64 does not match the model's FP32"));
    c.add(
        v2(
            "declared INT64 for a BOOL input",
            "types",
            types("b", "INT64", "[1]"),
            "datatype INT64 does not match the model's BOOL"));
    c.add(
        v2(
            "declared datatype before the name",
            "iris",
            irisInput(
                "\"datatype\":\"INT32\",\"shape\":[1,4],\"data\":[1,2,3,4],\"name\":\"float_input\""),
            "datatype INT32 does not match the model's FP32"));
    c.add(
        v2(
            "unknown datatype name",
            "iris",
            iris("[1,4]", "FLOAT32", "[1,2,3,4]"),
            "unknown datatype 'FLOAT32'"));
    c.add(
        v2(
            "lower-case datatype name",
            "iris",
            iris("[1,4]", "fp32", "[1,2,3,4]"),
            "unknown datatype 'fp32'"));
    c.add(
        v2(
            "datatype not a string",
            "iris",
            irisInput(
                "\"name\":\"float_input\",\"shape\":[1,4],\"datatype\":32,\"data\":[1,2,3,4]"),
            "datatype must be a string"));

    // NaN and Infinity.
    c.add(v2("NaN literal", "iris", iris("[1,4]", "FP32", "[NaN,1,2,3]"), "not valid JSON", "NaN"));
    c.add(
        v2(
            "Infinity literal",
            "iris",
            iris("[1,4]", "FP32", "[1,Infinity,2,3]"),
            "not valid JSON",
            "Infinity"));
    c.add(
        v2(
            "-Infinity literal",
            "types",
            types("f64", "FP64", "[-Infinity]"),
            "not valid JSON",
            "Infinity"));
    c.add(
        v2(
            "\"NaN\" as a string",
            "iris",
            iris("[1,4]", "FP32", "[\"NaN\",1,2,3]"),
            "data[0]: a string where FP32 needs a number"));
    c.add(
        v2(
            "\"Infinity\" as a string",
            "types",
            types("f64", "FP64", "[\"Infinity\"]"),
            "a string where FP64 needs a number"));

    // Nesting 200 deep.
    c.add(
        v2(
            "data nested 200 deep",
            "iris",
            iris("[1,4]", "FP32", deep(200, "1")),
            "nesting depth",
            "exceeds the maximum allowed (32"));
    c.add(
        v2(
            "parameters nested 200 deep",
            "iris",
            "{\"parameters\":{\"p\":" + deep(200, "1") + "}," + IRIS.trim().substring(1),
            "nesting depth"));
    c.add(
        v2(
            "unknown field nested 200 deep",
            "iris",
            "{\"x\":" + "{\"a\":".repeat(200) + "1" + "}".repeat(200) + "}",
            "nesting depth"));
    c.add(
        v1(
            "V1 instance nested 200 deep",
            "iris",
            "{\"instances\":" + deep(200, "1") + "}",
            "nesting depth"));

    // Sizes.
    c.add(
        huge(
            "20 MB string over the 4 MiB body limit",
            "/v2/models/types/infer",
            413,
            () -> types("s", "BYTES", "[\"" + "x".repeat(20 * MIB) + "\"]"),
            "exceeds the limit of 4194304 bytes"));
    c.add(
        huge(
            "2 MB id over the 1 MiB string limit",
            "/v2/models/iris/infer",
            400,
            () -> "{\"id\":\"" + "x".repeat(2 * MIB) + "\"," + IRIS.trim().substring(1),
            "String value length",
            "exceeds the maximum allowed"));
    c.add(
        huge(
            "100k-digit number in data",
            "/v2/models/iris/infer",
            400,
            () -> iris("[1,4]", "FP32", "[1,2,3," + "9".repeat(100_000) + "]"),
            "Number value length"));
    c.add(
        huge(
            "100k-digit dimension",
            "/v2/models/iris/infer",
            400,
            () -> iris("[1," + "4".repeat(100_000) + "]", "FP32", "[1,2,3,4]"),
            "Number value length"));

    // Broken JSON.
    c.add(v2("truncated JSON", "iris", IRIS.substring(0, 60), "ends too early"));
    c.add(
        v2(
            "truncated inside a string",
            "iris",
            "{\"inputs\":[{\"name\":\"float_in",
            "ends too early"));
    c.add(v2("empty body", "iris", "", "request body is empty"));
    c.add(v2("whitespace body", "iris", "  \n ", "must be a JSON object"));
    c.add(v2("body null", "iris", "null", "must be a JSON object"));
    c.add(v2("body []", "iris", "[]", "must be a JSON object"));
    c.add(v2("body \"x\"", "iris", "\"x\"", "must be a JSON object"));
    c.add(v2("body 42", "iris", "42", "must be a JSON object"));
    c.add(v2("trailing garbage", "iris", IRIS.trim() + "xyz", "not valid JSON"));
    c.add(
        v2(
            "a second object",
            "iris",
            IRIS.trim() + "{}",
            "unexpected content after the request object"));
    c.add(v2("a stray close bracket", "iris", IRIS.trim() + "]", "not valid JSON"));
    c.add(
        v2(
            "duplicate key in an input",
            "iris",
            irisInput(
                "\"name\":\"float_input\",\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\","
                    + "\"data\":[1,2,3,4]"),
            "Duplicate field 'name'"));
    c.add(
        v2(
            "duplicate inputs key",
            "iris",
            "{\"inputs\":[]," + IRIS.trim().substring(1),
            "Duplicate field 'inputs'"));
    c.add(v2("trailing comma", "iris", iris("[1,4]", "FP32", "[1,2,3,4,]"), "not valid JSON"));
    c.add(v2("single quotes", "iris", "{'inputs':[]}", "not valid JSON"));
    c.add(v2("a comment", "iris", "/* hi */" + IRIS, "not valid JSON"));
    c.add(v2("leading zero", "iris", iris("[1,4]", "FP32", "[01,2,3,4]"), "not valid JSON"));
    c.add(
        raw(
            "invalid UTF-8",
            "/v2/models/iris/infer",
            concat("{\"inputs\":[{\"name\":\"", new byte[] {(byte) 0xff, (byte) 0xfe}, "\"}]}"),
            "not valid JSON",
            "UTF-8"));

    // Missing, duplicate and unknown parts.
    c.add(
        v2(
            "missing name",
            "iris",
            irisInput("\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]"),
            "inputs[0]: 'name' is required"));
    c.add(
        v2(
            "missing datatype",
            "iris",
            irisInput("\"name\":\"float_input\",\"shape\":[1,4],\"data\":[1,2,3,4]"),
            "'datatype' is required"));
    c.add(
        v2(
            "missing shape",
            "iris",
            irisInput("\"name\":\"float_input\",\"datatype\":\"FP32\",\"data\":[1,2,3,4]"),
            "'shape' is required"));
    c.add(
        v2(
            "missing data",
            "iris",
            irisInput("\"name\":\"float_input\",\"datatype\":\"FP32\",\"shape\":[1,4]"),
            "'data' is required"));
    c.add(v2("missing inputs", "iris", "{\"id\":\"1\"}", "'inputs' is required"));
    c.add(v2("inputs not an array", "iris", "{\"inputs\":{}}", "'inputs' must be an array"));
    c.add(v2("input not an object", "iris", "{\"inputs\":[1]}", "inputs[0] must be an object"));
    c.add(v2("no inputs", "iris", "{\"inputs\":[]}", "missing inputs [float_input]"));
    c.add(
        v2(
            "name not a string",
            "iris",
            irisInput("\"name\":[\"float_input\"]"),
            "inputs[0].name must be a string"));
    c.add(
        v2(
            "data not an array",
            "iris",
            iris("[1,4]", "FP32", "\"1,2,3,4\""),
            "'data' must be an array"));
    c.add(
        v2(
            "duplicate input",
            "iris",
            "{\"inputs\":[" + irisTensor() + "," + irisTensor() + "]}",
            "input 'float_input' appears more than once"));
    c.add(v2("missing input of several", "types", typesWithout("s"), "missing inputs [s]"));
    c.add(
        v2(
            "inputs disagree on a shared dimension",
            "types",
            types("s", "BYTES", "[\"a\",\"b\"]")
                .replace(
                    "\"shape\":[1],\"datatype\":\"BYTES\"", "\"shape\":[2],\"datatype\":\"BYTES\""),
            "dimension 'n' is"));
    c.add(
        v2(
            "unknown input",
            "iris",
            "{\"inputs\":[{\"name\":\"petals\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}",
            "unknown input 'petals'",
            "[float_input]"));
    c.add(
        v2(
            "unknown requested output",
            "iris",
            withTop("\"outputs\":[{\"name\":\"nope\"}]"),
            "unknown output 'nope'",
            "[label, probabilities]"));
    c.add(v2("empty outputs", "iris", withTop("\"outputs\":[]"), "'outputs' is empty"));
    c.add(
        v2(
            "output requested twice",
            "iris",
            withTop("\"outputs\":[{\"name\":\"label\"},{\"name\":\"label\"}]"),
            "output 'label' is requested more than once"));
    c.add(
        v2(
            "outputs not an array",
            "iris",
            withTop("\"outputs\":\"label\""),
            "'outputs' must be an array"));
    c.add(
        v2(
            "output without a name",
            "iris",
            withTop("\"outputs\":[{}]"),
            "outputs[0].name is required"));
    c.add(v2("id not a string", "iris", withTop("\"id\":42"), "'id' must be a string"));
    c.add(
        v2(
            "parameters not an object",
            "iris",
            withTop("\"parameters\":[]"),
            "'parameters' must be an object"));
    c.add(
        v2(
            "input parameters not an object",
            "iris",
            irisInput(
                "\"name\":\"float_input\",\"parameters\":1,\"shape\":[1,4],\"datatype\":\"FP32\","
                    + "\"data\":[1,2,3,4]"),
            "input 'float_input'.parameters must be an object"));

    // Content types, models, versions and paths.
    c.add(
        post(
            "text/plain",
            "/v2/models/iris/infer",
            "text/plain",
            IRIS,
            415,
            "Content-Type must be application/json",
            "text/plain"));
    c.add(
        post(
            "form content type",
            "/v2/models/iris/infer",
            "application/x-www-form-urlencoded",
            IRIS,
            415,
            "Content-Type must be application/json"));
    c.add(
        post(
            "V1 text/plain",
            "/v1/models/iris:predict",
            "text/plain",
            "{\"instances\":[[1,2,3,4]]}",
            415,
            "Content-Type must be application/json"));
    c.add(
        post(
            "no content type, broken body",
            "/v2/models/iris/infer",
            null,
            "{\"inputs\":",
            400,
            "ends too early"));
    c.add(
        post(
            "unknown model",
            "/v2/models/nope/infer",
            JSON,
            IRIS,
            404,
            "unknown model 'nope'",
            "iris"));
    c.add(
        post(
            "unknown version",
            "/v2/models/iris/versions/2/infer",
            JSON,
            IRIS,
            404,
            "model 'iris' has no version '2'"));
    c.add(
        post(
            "V1 unknown model",
            "/v1/models/nope:predict",
            JSON,
            "{\"instances\":[[1,2,3,4]]}",
            404,
            "unknown model 'nope'"));
    c.add(
        post(".. as the model name", "/v2/models/../infer", JSON, IRIS, 404, "unknown model '..'"));
    c.add(
        post(
            "encoded ../.. in the model name",
            "/v2/models/..%2F..%2Fetc/infer",
            JSON,
            IRIS,
            404,
            "unknown model '../../etc'"));
    c.add(
        post(
            ".. inside a model name",
            "/v2/models/a..b/infer",
            JSON,
            IRIS,
            404,
            "unknown model 'a..b'"));
    c.add(
        post(
            ".. between path segments",
            "/v2/models/iris/../iris/infer",
            JSON,
            IRIS,
            404,
            "no such endpoint"));
    c.add(
        post("NUL in the model name", "/v2/models/iris%00/infer", JSON, IRIS, 400, "Bad Request"));
    c.add(
        post(
            "10k-character model name",
            "/v2/models/" + "m".repeat(10_000) + "/infer",
            JSON,
            IRIS,
            414,
            "URI Too Long"));
    c.add(get("GET on infer", "/v2/models/iris/infer", 404, "no such endpoint"));
    c.add(get("GET on predict", "/v1/models/iris:predict", 404, "iris:predict"));

    // KServe V1 bodies.
    c.add(
        v1(
            "missing instances",
            "iris",
            "{\"inputs\":[[1,2,3,4]]}",
            "request must be {\"instances\": [...]}"));
    c.add(
        v1(
            "empty instances",
            "iris",
            "{\"instances\":[]}",
            "'instances' must be a non-empty array"));
    c.add(
        v1(
            "instances not an array",
            "iris",
            "{\"instances\":5}",
            "'instances' must be a non-empty array"));
    c.add(
        v1(
            "non-numeric instance",
            "iris",
            "{\"instances\":[[1,2,\"x\",4]]}",
            "instances[0] must hold numbers, found string"));
    c.add(
        v1(
            "boolean in an instance",
            "iris",
            "{\"instances\":[[true,2,3,4]]}",
            "instances[0] must hold numbers, found boolean"));
    c.add(
        v1(
            "ragged instances",
            "iris",
            "{\"instances\":[[1,2,3,4],[1,2,3]]}",
            "instances[1] has a different shape than instances[0]"));
    c.add(
        v1(
            "instance of the wrong width",
            "iris",
            "{\"instances\":[[1,2,3]]}",
            "dimension 1 is 3, the model expects 4"));
    c.add(v1("V1 truncated JSON", "iris", "{\"instances\":[[1,2", "ends too early"));
    c.add(v1("V1 body null", "iris", "null", "request must be {\"instances\": [...]}"));
    c.add(
        v1(
            "V1 on a model with several inputs",
            "types",
            "{\"instances\":[[1]]}",
            "need a one-input model",
            "10 inputs"));
    c.add(
        v1(
            "V1 value out of FP32 range",
            "iris",
            "{\"instances\":[[1e39,1,1,1]]}",
            "out of range for FP32"));
    c.add(
        huge(
            "V1 instance ragged inside",
            "/v1/models/heavy:predict",
            400,
            MalformedRequestsTest::raggedImage,
            "instances[0] is ragged: an array at depth 2 has 31 elements where the first there had"
                + " 32"));
    c.add(
        v1(
            "V1 instance ragged one level down",
            "iris",
            "{\"instances\":[[[1,2],[3]]]}",
            "instances[0] is ragged: an array at depth 1 has 1 elements where the first there had"
                + " 2"));
    c.add(
        v1(
            "V1 instance with an array where numbers were",
            "iris",
            "{\"instances\":[[1,[2]]]}",
            "instances[0] is ragged: an array at depth 1 where the others hold numbers"));
    c.add(
        v1(
            "V1 instance with a number where arrays were",
            "iris",
            "{\"instances\":[[[2],1]]}",
            "instances[0] is ragged: a number at depth 1 where the first number was at depth 2"));

    // Named features on fraud: every problem of a row named at once.
    c.add(
        v1("missing feature", "fraud", fraud("\"amount\":950.0,", ""), "missing feature 'amount'"));
    c.add(
        v1(
            "unknown feature",
            "fraud",
            fraud("\"country\":\"BR\"", "\"country\":\"BR\",\"zip\":\"10115\""),
            "unknown feature 'zip'"));
    c.add(
        v1(
            "wrong-typed feature",
            "fraud",
            fraud("\"age\":23", "\"age\":\"23\""),
            "feature 'age' must be an integer"));
    c.add(
        v1(
            "fractional int feature",
            "fraud",
            fraud("\"age\":23", "\"age\":23.5"),
            "feature 'age' must be an integer"));
    c.add(
        v1(
            "out-of-range feature",
            "fraud",
            fraud("\"age\":23", "\"age\":200"),
            "feature 'age' is 200.0, outside [18.0, 120.0]"));
    c.add(
        v1(
            "negative amount",
            "fraud",
            fraud("\"amount\":950.0", "\"amount\":-5"),
            "feature 'amount' is -5.0, outside [0.0"));
    c.add(
        v1(
            "unknown category",
            "fraud",
            fraud("\"country\":\"BR\"", "\"country\":\"XX\""),
            "feature 'country' must be one of [US, DE, FR, GB, BR, IN]"));
    c.add(
        v1(
            "number for a bool feature",
            "fraud",
            fraud("\"foreign_ip\":true", "\"foreign_ip\":1"),
            "feature 'foreign_ip' must be true or false"));
    c.add(
        v1(
            "every problem of a row at once",
            "fraud",
            "{\"instances\":[{\"amount\":-1,\"age\":\"x\",\"country\":7,\"foreign_ip\":\"yes\",\"zip\":1}]}",
            "instances[0]:",
            "unknown feature 'zip'",
            "feature 'amount' is -1.0",
            "feature 'age' must be an integer",
            "missing feature 'account_age_days'",
            "feature 'country' must be one of",
            "feature 'foreign_ip' must be true or false"));
    c.add(
        v1(
            "second row named",
            "fraud",
            "{\"instances\":[" + Samples.file("fraud.features.json").trim() + ",{\"amount\":1}]}",
            "instances[1]:",
            "missing feature 'account_age_days'"));
    c.add(
        v1(
            "row not an object",
            "fraud",
            "{\"instances\":[[950,23,3,4,1]]}",
            "instances[0] must be an object of named features"));
    c.add(v1("empty row list", "fraud", "[]", "'instances' must be a non-empty array"));
    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void malformedRequestGetsAPreciseClientErrorAndTheServerCarriesOn(Case c) throws IOException {
    Answer a = exchange(server, null, c.method(), c.path(), c.contentType(), c.body().get());

    assertClientError(a, c.status(), c.errors());
    assertIrisStillAnswers(server);
  }

  /**
   * The same corpus with a valid API key against a server with auth and batching on: the key check
   * and the batch queue neither hide the precise error nor let a malformed request into a batch.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void withAuthAndBatchingOnTheAnswerIsTheSame(Case c) throws IOException {
    Answer a = exchange(secured, API_KEY, c.method(), c.path(), c.contentType(), c.body().get());

    assertClientError(a, c.status(), c.errors());
    HttpResponse<String> r =
        secured.send(
            HttpRequest.newBuilder(URI.create(secured.url("/v2/models/iris/infer")))
                .header("Content-Type", JSON)
                .header("x-api-key", API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(IRIS))
                .build());
    assertThat(r.statusCode()).as("iris after the case: " + r.body()).isEqualTo(200);
    assertThat(label(r)).isZero();
  }

  /** A status, a content type and a body, however they were fetched. */
  record Answer(int status, String contentType, String body) {
    static Answer of(HttpResponse<String> r) {
      return new Answer(
          r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }
  }

  /**
   * One request on its own connection, written byte for byte as given (paths are not normalized)
   * while the answer is read: a body refused for its size is refused before it is read, and a
   * client that waits to finish writing it before reading may see only the reset of the closed
   * connection.
   */
  private static Answer exchange(
      TestingServer target,
      String apiKey,
      String method,
      String path,
      String contentType,
      byte[] body)
      throws IOException {
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1\r\nConnection: close\r\n");
    if (apiKey != null) {
      head.append("Authorization: Bearer ").append(apiKey).append("\r\n");
    }
    if (contentType != null) {
      head.append("Content-Type: ").append(contentType).append("\r\n");
    }
    if (!method.equals("GET")) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    try (Socket s = new Socket("127.0.0.1", target.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      Thread writer =
          new Thread(
              () -> {
                try {
                  out.write(head.toString().getBytes(StandardCharsets.UTF_8));
                  out.write(body);
                  out.flush();
                } catch (IOException refusedEarly) {
                  // the server answered and closed before taking the whole body
                }
              });
      writer.start();
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      try {
        writer.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      int end = response.indexOf("\r\n\r\n");
      assertThat(end).as("a complete HTTP answer: %s", clip(response)).isPositive();
      String responseHead = response.substring(0, end);
      String responseBody = response.substring(end + 4);
      if (header(responseHead, "transfer-encoding").equalsIgnoreCase("chunked")) {
        responseBody = unchunk(responseBody);
      }
      int status = Integer.parseInt(responseHead.substring(9, 12));
      return new Answer(status, header(responseHead, "content-type"), responseBody);
    }
  }

  private static String unchunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int eol = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, eol).trim(), 16);
      if (size == 0) {
        return out.toString();
      }
      out.append(chunked, eol + 2, eol + 2 + size);
      at = eol + 2 + size + 2;
    }
  }

  /**
   * Jetty answers a malformed URI itself and then closes the connection. A keep-alive client that
   * is not told (no {@code Connection: close}) sends its next request into the closed connection
   * and fails it.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("jettyRejectedPaths")
  void anErrorThatEndsTheConnectionSaysSo(String path) throws IOException {
    String request =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: 2\r\n\r\n{}";
    String head;
    boolean closed;
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      head = readHead(in);
      int length = Integer.parseInt(header(head, "content-length"));
      assertThat(in.readNBytes(length)).hasSize(length);
      s.setSoTimeout(1_000);
      try {
        closed = in.read() < 0;
      } catch (SocketTimeoutException stillOpen) {
        closed = false;
      }
    }

    assertThat(head).startsWith("HTTP/1.1 4");
    if (closed) {
      assertThat(header(head, "connection")).as(head).isEqualToIgnoringCase("close");
    }
  }

  static Stream<String> jettyRejectedPaths() {
    return Stream.of("/v2/models/iris%00/infer", "/v2/models/" + "m".repeat(10_000) + "/infer");
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      sb.append((char) b);
    }
    return sb.toString();
  }

  private static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return "";
  }

  /** Without a Content-Length the body is read up to the limit; one byte more is a 413. */
  @Test
  void aChunkedBodyOneByteOverTheLimitIsRefusedWith413() throws IOException {
    byte[] body = Arrays.copyOf(IRIS.getBytes(StandardCharsets.UTF_8), 4 * MIB + 1);
    Arrays.fill(body, IRIS.length(), body.length, (byte) ' ');
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(server.url("/v2/models/iris/infer")))
            .header("Content-Type", JSON)
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
            .build();

    assertClientError(server.send(req), 413, List.of("exceeds the limit of 4194304 bytes"));
    assertIrisStillAnswers(server);
  }

  /** The same body exactly at the limit is read and answered. */
  @Test
  void aChunkedBodyAtTheLimitIsServed() throws IOException {
    byte[] body = Arrays.copyOf(IRIS.getBytes(StandardCharsets.UTF_8), 4 * MIB);
    Arrays.fill(body, IRIS.length(), body.length, (byte) ' ');
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(server.url("/v2/models/iris/infer")))
            .header("Content-Type", JSON)
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
            .build();

    HttpResponse<String> r = server.send(req);

    assertThat(r.statusCode()).as(clip(r.body())).isEqualTo(200);
    assertThat(label(r)).isZero();
  }

  @Test
  void aBodyShorterThanItsContentLengthIsA400NotAHang() throws IOException {
    String head =
        "POST /v2/models/iris/infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: 500\r\nConnection: close\r\n\r\n";
    String answer;
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write((head + IRIS).getBytes(StandardCharsets.UTF_8));
      out.flush();
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    assertThat(answer).startsWith("HTTP/1.1 400");
    assertThat(answer.toLowerCase()).contains("content-type: application/json");
    String error =
        MAPPER.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).path("error").asText();
    assertThat(error).contains("request body could not be read");
    assertIrisStillAnswers(server);
  }

  @Test
  void aRequestWithoutContentTypeIsAccepted() throws IOException {
    HttpResponse<String> r = server.post("/v2/models/iris/infer", null, IRIS);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(label(r)).isZero();
  }

  /**
   * With the body limit raised past the string limit, the 1 MiB string limit still answers 400; and
   * a request whose one input holds more than half the element budget is still served.
   */
  @Test
  void raisedBodyLimitStillBoundsStringsButNotLegitimateTensors() throws IOException {
    RuntimeConfig cfg =
        new RuntimeConfig(
            new ServerConfig(null, null, null, null, 64L * MIB, null), null, null, null, null);
    try (TestingServer big = TestingServer.samples(cfg)) {
      HttpResponse<String> twoMb =
          big.post(
              "/v2/models/types/infer", types("s", "BYTES", "[\"" + "x".repeat(2 * MIB) + "\"]"));
      HttpResponse<String> twentyMb =
          big.post(
              "/v2/models/iris/infer",
              "{\"id\":\"" + "y".repeat(20 * MIB) + "\"," + IRIS.trim().substring(1));
      // 40000 x 64 = 2,560,000 elements: under the 4,194,304 element limit
      int rows = 40_000;
      String zeros = "0,".repeat(rows * 64 - 1) + "0";
      HttpResponse<String> tall =
          big.post(
              "/v2/models/mlp/infer",
              "{\"inputs\":[{\"name\":\"input\",\"shape\":["
                  + rows
                  + ",64],\"datatype\":\"FP32\",\"data\":["
                  + zeros
                  + "]}]}");

      assertClientError(twoMb, 400, List.of("String value length", "exceeds the maximum allowed"));
      assertClientError(twentyMb, 400, List.of("String value length"));
      assertThat(tall.statusCode()).as(clip(tall.body())).isEqualTo(200);
      assertThat(MAPPER.readTree(tall.body()).at("/outputs/0/shape").toString())
          .isEqualTo("[" + rows + ",10]");
      assertIrisStillAnswers(big);
    }
  }

  static void assertClientError(HttpResponse<String> r, int status, List<String> errors)
      throws IOException {
    assertClientError(Answer.of(r), status, errors);
  }

  static void assertClientError(Answer a, int status, List<String> errors) throws IOException {
    String body = a.body();
    assertThat(a.status()).as(clip(body)).isEqualTo(status);
    assertThat(a.contentType()).startsWith(JSON);
    JsonNode json = MAPPER.readTree(body);
    assertThat(json.path("error").isTextual()).as(clip(body)).isTrue();
    String error = json.get("error").asText();
    assertThat(error).contains(errors);
    assertThat(body).doesNotContain("at dev.", "Exception", "\tat ", "\\tat ");
  }

  static void assertIrisStillAnswers(TestingServer s) throws IOException {
    HttpResponse<String> r = s.post("/v2/models/iris/infer", IRIS);
    assertThat(r.statusCode()).as("iris after the case: " + r.body()).isEqualTo(200);
    assertThat(label(r)).isZero();
  }

  private static long label(HttpResponse<String> r) throws IOException {
    for (JsonNode out : MAPPER.readTree(r.body()).path("outputs")) {
      if (out.path("name").asText().equals("label")) {
        return out.path("data").get(0).asLong();
      }
    }
    throw new AssertionError("no label output in " + r.body());
  }

  private static Case v2(String name, String model, String body, String... errors) {
    return post(name, "/v2/models/" + model + "/infer", JSON, body, 400, errors);
  }

  private static Case v1(String name, String model, String body, String... errors) {
    return post(name, "/v1/models/" + model + ":predict", JSON, body, 400, errors);
  }

  private static Case post(
      String name, String path, String contentType, String body, int status, String... errors) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return new Case(name, "POST", path, contentType, () -> bytes, status, List.of(errors));
  }

  private static Case huge(
      String name, String path, int status, Supplier<String> body, String... errors) {
    return new Case(
        name,
        "POST",
        path,
        JSON,
        () -> body.get().getBytes(StandardCharsets.UTF_8),
        status,
        List.of(errors));
  }

  private static Case raw(String name, String path, byte[] body, String... errors) {
    return new Case(name, "POST", path, JSON, () -> body, 400, List.of(errors));
  }

  private static Case get(String name, String path, int status, String... errors) {
    return new Case(name, "GET", path, null, () -> new byte[0], status, List.of(errors));
  }

  private static String irisTensor() {
    return "{\"name\":\"float_input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}";
  }

  private static String iris(String shape, String datatype, String data) {
    return irisInput(
        "\"name\":\"float_input\",\"shape\":"
            + shape
            + ",\"datatype\":\""
            + datatype
            + "\",\"data\":"
            + data);
  }

  private static String irisInput(String fields) {
    return "{\"inputs\":[{" + fields + "}]}";
  }

  /** The iris example with one more top-level field. */
  private static String withTop(String field) {
    return "{" + field + "," + IRIS.trim().substring(1);
  }

  private static final String[][] TYPES = {
    {"b", "BOOL", "[true]"},
    {"u8", "UINT8", "[1]"},
    {"i8", "INT8", "[1]"},
    {"i16", "INT16", "[1]"},
    {"i32", "INT32", "[1]"},
    {"i64", "INT64", "[1]"},
    {"f16", "FP16", "[1]"},
    {"f32", "FP32", "[1]"},
    {"f64", "FP64", "[1]"},
    {"s", "BYTES", "[\"a\"]"}
  };

  /** A valid one-row request for types.onnx with one input's datatype and data replaced. */
  private static String types(String name, String datatype, String data) {
    return typesRequest(name, datatype, data, null);
  }

  private static String typesWithout(String name) {
    return typesRequest(null, null, null, name);
  }

  private static String typesRequest(String name, String datatype, String data, String omit) {
    List<String> inputs = new ArrayList<>();
    for (String[] t : TYPES) {
      if (t[0].equals(omit)) {
        continue;
      }
      boolean replaced = t[0].equals(name);
      inputs.add(
          "{\"name\":\""
              + t[0]
              + "\",\"shape\":[1],\"datatype\":\""
              + (replaced ? datatype : t[1])
              + "\",\"data\":"
              + (replaced ? data : t[2])
              + "}");
    }
    return "{\"inputs\":[" + String.join(",", inputs) + "]}";
  }

  /** The fraud example row as a V1 request, with one piece of it replaced. */
  private static String fraud(String from, String to) {
    String row = Samples.file("fraud.features.json").trim();
    assertThat(row).contains(from);
    String replaced =
        row.replace(from, to).replace(",,", ",").replace("{,", "{").replace(",}", "}");
    return "{\"instances\":[" + replaced + "]}";
  }

  private static String deep(int depth, String inner) {
    return "[".repeat(depth) + inner + "]".repeat(depth);
  }

  /** A V1 instance for heavy [N,1,32,32] whose last row has 31 numbers, not 32. */
  private static String raggedImage() {
    StringBuilder sb = new StringBuilder("{\"instances\":[[[");
    for (int row = 0; row < 32; row++) {
      sb.append(row == 0 ? "" : ",").append('[');
      for (int col = 0; col < (row == 31 ? 31 : 32); col++) {
        sb.append(col == 0 ? "" : ",").append("0.5");
      }
      sb.append(']');
    }
    return sb.append("]]]}").toString();
  }

  private static byte[] concat(String before, byte[] middle, String after) {
    byte[] a = before.getBytes(StandardCharsets.UTF_8);
    byte[] c = after.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(a, a.length + middle.length + c.length);
    System.arraycopy(middle, 0, out, a.length, middle.length);
    System.arraycopy(c, 0, out, a.length + middle.length, c.length);
    return out;
  }

  private static String clip(String s) {
    return s.length() <= 500 ? s : s.substring(0, 500) + "…";
  }
}
