package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.platform.Fp16Conversions;
import dev.starling.runtime.config.LimitsConfig;
import dev.starling.runtime.model.Datatype;
import dev.starling.runtime.model.ModelSignature;
import dev.starling.runtime.model.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InferRequestDecoderTest {
  /** Like iris: x FP32 [n, 2] in, y INT64 [n] and p FP32 [n, 2] out. */
  private static final ModelSignature PAIRS =
      new ModelSignature(
          List.of(spec("x", Datatype.FP32, -1, 2)),
          List.of(spec("y", Datatype.INT64, -1), spec("p", Datatype.FP32, -1, 2)));

  /** Two free-length inputs, to see the element budget shared between them. */
  private static final ModelSignature TWO =
      new ModelSignature(
          List.of(spec("a", Datatype.FP32, -1), spec("b", Datatype.INT32, -1)),
          List.of(spec("out", Datatype.FP32, -1)));

  private final DirectArena arena = new DirectArena();

  @Test
  void dataMayComeBeforeDatatypeAndShapeOnceTheNameIsKnown() {
    InferRequest req =
        decode(
            PAIRS,
            "{\"inputs\":[{\"name\":\"x\",\"data\":[1,2.5,3,4],\"shape\":[2,2],\"datatype\":\"FP32\"}]}");

    InferInput in = req.inputs().get(0);
    assertThat(in.name()).isEqualTo("x");
    assertThat(in.shape()).containsExactly(2, 2);
    assertThat(floats(in)).containsExactly(1f, 2.5f, 3f, 4f);
  }

  @Test
  void dataMayComeBeforeNameAndShapeOnceTheDatatypeIsKnown() {
    InferRequest req =
        decode(
            PAIRS,
            "{\"inputs\":[{\"datatype\":\"FP32\",\"data\":[5,6],\"shape\":[1,2],\"name\":\"x\"}]}");

    assertThat(floats(req.inputs().get(0))).containsExactly(5f, 6f);
  }

  /**
   * JSON object members have no order, and common clients send sorted keys (Go's encoding/json for
   * maps, Python's {@code json.dumps(sort_keys=True)}): {@code data} then comes before {@code
   * datatype} and {@code name}.
   */
  @Test
  void dataMayComeFirstAsInSortedKeyOrder() {
    InferRequest req =
        decode(
            PAIRS,
            "{\"inputs\":[{\"data\":[5,6],\"datatype\":\"FP32\",\"name\":\"x\",\"shape\":[1,2]}]}");

    assertThat(floats(req.inputs().get(0))).containsExactly(5f, 6f);
  }

  @Test
  void dataBeforeNameIsHeldToTheSameLimits() {
    String tooMany =
        "{\"inputs\":[{\"data\":[1,2,3,4,5,6],\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[3,2]}]}";
    String wrongType =
        "{\"inputs\":[{\"data\":[1,2,1e39,4],\"datatype\":\"FP32\",\"name\":\"x\",\"shape\":[2,2]}]}";

    assertThatThrownBy(() -> decoder(5).decode(utf8(tooMany), PAIRS, arena))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("exceeds the limit of 5 elements per request");
    assertThatThrownBy(() -> decode(PAIRS, wrongType))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("input 'x': data[2]:")
        .hasMessageContaining("is out of range for FP32");
  }

  @Test
  void nestedDataIsFlattenedRowMajor() {
    InferRequest req =
        decode(
            PAIRS,
            "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[3,2],"
                + "\"data\":[[1,2],[3,4],[5,6]]}]}");
    InferRequest deeper =
        decode(
            PAIRS,
            "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,2],"
                + "\"data\":[[[1],[2]],[[3],[4]]]}]}");

    assertThat(floats(req.inputs().get(0))).containsExactly(1f, 2f, 3f, 4f, 5f, 6f);
    assertThat(floats(deeper.inputs().get(0))).containsExactly(1f, 2f, 3f, 4f);
  }

  @Test
  void keepsTheIdAndTheSelectedOutputsInOrder() {
    InferRequest req =
        decode(
            PAIRS,
            "{\"id\":\"req-42\",\"outputs\":[{\"name\":\"p\"},"
                + "{\"name\":\"y\",\"parameters\":{\"binary_data\":false}}],"
                + "\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}");

    assertThat(req.id()).isEqualTo("req-42");
    assertThat(req.outputs()).containsExactly("p", "y");
  }

  @Test
  void noOutputsMeansEveryOutput() {
    InferRequest req = decode(PAIRS, xRequest("[1,2]", "[1,2]"));

    assertThat(req.id()).isNull();
    assertThat(req.outputs()).isNull();
  }

  @Test
  void parametersAreAcceptedAndIgnored() {
    InferRequest req =
        decode(
            PAIRS,
            "{\"parameters\":{\"priority\":1,\"nested\":{\"a\":[1,{\"b\":null}]}},"
                + "\"inputs\":[{\"name\":\"x\",\"parameters\":{\"binary_data_size\":8},"
                + "\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}");

    assertThat(req.parameters()).isNull();
    assertThat(floats(req.inputs().get(0))).containsExactly(1f, 2f);
  }

  @Test
  void unknownFieldsAreIgnoredWhateverTheirShape() {
    InferRequest req =
        decode(
            PAIRS,
            "{\"model_name\":\"other\",\"extra\":[[1],{\"x\":\"y\"}],"
                + "\"inputs\":[{\"name\":\"x\",\"note\":{\"data\":\"not this\"},\"tags\":[\"a\"],"
                + "\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[7,8]}],\"trailer\":null}");

    assertThat(req.inputs()).hasSize(1);
    assertThat(floats(req.inputs().get(0))).containsExactly(7f, 8f);
  }

  @Test
  void decodesEveryDatatypeAtItsLimits() {
    ModelSignature all =
        new ModelSignature(
            List.of(
                spec("b", Datatype.BOOL, -1),
                spec("u8", Datatype.UINT8, -1),
                spec("i8", Datatype.INT8, -1),
                spec("i16", Datatype.INT16, -1),
                spec("i32", Datatype.INT32, -1),
                spec("i64", Datatype.INT64, -1),
                spec("f16", Datatype.FP16, -1),
                spec("f64", Datatype.FP64, -1),
                spec("s", Datatype.BYTES, -1)),
            List.of());
    InferRequest req =
        decode(
            all,
            "{\"inputs\":["
                + input("b", "BOOL", "[true,false]")
                + ","
                + input("u8", "UINT8", "[0,255]")
                + ","
                + input("i8", "INT8", "[-128,127]")
                + ","
                + input("i16", "INT16", "[-32768,32767]")
                + ","
                + input("i32", "INT32", "[-2147483648,2147483647]")
                + ","
                + input("i64", "INT64", "[-9223372036854775808,9223372036854775807]")
                + ","
                + input("f16", "FP16", "[-65504,0.5]")
                + ","
                + input("f64", "FP64", "[1e-300,-1.7976931348623157e308]")
                + ","
                + input("s", "BYTES", "[\"\",\"ünï ✓\"]")
                + "]}");

    List<InferInput> in = req.inputs();
    assertThat(bytes(in.get(0))).containsExactly(1, 0);
    assertThat(bytes(in.get(1))).containsExactly(0, (byte) 255);
    assertThat(bytes(in.get(2))).containsExactly(-128, 127);
    assertThat(buffer(in.get(3)).getShort(0)).isEqualTo(Short.MIN_VALUE);
    assertThat(buffer(in.get(3)).getShort(2)).isEqualTo(Short.MAX_VALUE);
    assertThat(buffer(in.get(4)).getInt(0)).isEqualTo(Integer.MIN_VALUE);
    assertThat(buffer(in.get(4)).getInt(4)).isEqualTo(Integer.MAX_VALUE);
    assertThat(buffer(in.get(5)).getLong(0)).isEqualTo(Long.MIN_VALUE);
    assertThat(buffer(in.get(5)).getLong(8)).isEqualTo(Long.MAX_VALUE);
    assertThat(Fp16Conversions.fp16ToFloat(buffer(in.get(6)).getShort(0))).isEqualTo(-65504f);
    assertThat(Fp16Conversions.fp16ToFloat(buffer(in.get(6)).getShort(2))).isEqualTo(0.5f);
    assertThat(buffer(in.get(7)).getDouble(0)).isEqualTo(1e-300);
    assertThat(buffer(in.get(7)).getDouble(8)).isEqualTo(-Double.MAX_VALUE);
    assertThat(in.get(8).data().strings()).containsExactly("", "ünï ✓");
  }

  @Test
  void theElementBudgetIsSharedAcrossInputs() {
    InferRequestDecoder decoder = decoder(10);
    String body =
        "{\"inputs\":["
            + input("a", "FP32", "[1,2,3,4,5,6]")
            + ","
            + input("b", "INT32", "[1,2,3,4,5]")
            + "]}";

    assertThatThrownBy(() -> decoder.decode(utf8(body), TWO, arena))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("input 'b'")
        .hasMessageContaining("exceeds the limit of 10 elements per request");
  }

  @Test
  void inputsThatTogetherFitTheBudgetAreAccepted() {
    String body =
        "{\"inputs\":["
            + input("a", "FP32", "[1,2,3,4,5,6]")
            + ","
            + input("b", "INT32", "[1,2,3,4]")
            + "]}";

    InferRequest req = decoder(10).decode(utf8(body), TWO, arena);

    assertThat(req.inputs()).extracting(i -> i.data().count()).containsExactly(6, 4);
  }

  /** One input may use the whole budget: its elements must not be counted against it twice. */
  @Test
  void oneInputMayUseTheWholeBudget() {
    InferRequest req =
        decoder(8).decode(utf8(xRequest("[4,2]", "[1,2,3,4,5,6,7,8]")), PAIRS, arena);

    assertThat(req.inputs().get(0).data().count()).isEqualTo(8);
  }

  @Test
  void theBudgetBoundsDataThatComesBeforeItsShape() {
    String body =
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6],\"shape\":[3,2]}]}";

    assertThatThrownBy(() -> decoder(5).decode(utf8(body), PAIRS, arena))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("more elements than the limit of 5 per request");
  }

  @Test
  void aShapeTheBodyCannotCarryIsRefusedBeforeReadingData() {
    String body = xRequest("[1000000,2]", "[1,2]");

    assertThatThrownBy(() -> decoder(Long.MAX_VALUE).decode(utf8(body), PAIRS, arena))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("shape [1000000,2] holds 2000000 elements")
        .hasMessageContaining("more than a " + utf8(body).length + "-byte body can carry");
  }

  /** The tightest honest body ("0,0,...,0") must pass the guard: no off-by-one. */
  @Test
  void theTightestBodyPassesTheBodySizeGuard() {
    for (int n : new int[] {1, 2, 3, 1000}) {
      String zeros = "[" + "0,".repeat(n - 1) + "0]";
      String body =
          "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":["
              + n
              + "],\"data\":"
              + zeros;
      // the guard compares against the body length, so make the rest of the body minimal too
      InferRequest req = decoder(Long.MAX_VALUE).decode(utf8(body + "}]}"), ONLY_A, arena);

      assertThat(req.inputs().get(0).data().count()).isEqualTo(n);
    }
  }

  private static final ModelSignature ONLY_A =
      new ModelSignature(List.of(spec("a", Datatype.FP32, -1)), List.of());

  @Test
  void aBadElementIsReportedWithItsIndexAndInput() {
    assertThatThrownBy(() -> decode(PAIRS, xRequest("[2,2]", "[[1,2],[3,\"4\"]]")))
        .isInstanceOf(ApiException.class)
        .hasMessage("input 'x': data[3]: a string where FP32 needs a number");
  }

  @Test
  void beforeTheNameIsKnownTheInputIsNamedByPosition() {
    assertThatThrownBy(
            () -> decode(PAIRS, "{\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[1,-2]}]}"))
        .isInstanceOf(ApiException.class)
        .hasMessage("inputs[0]: 'shape' has a negative dimension -2");
  }

  @Test
  void moreDataThanTheShapeHoldsStopsAtTheFirstExtraElement() {
    assertThatThrownBy(() -> decode(PAIRS, xRequest("[1,2]", "[1,2,3]")))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("input 'x'")
        .hasMessageContaining("more elements than its shape holds (2)");
  }

  @Test
  void contentAfterTheRequestObjectIsRefused() {
    assertThatThrownBy(() -> decode(PAIRS, xRequest("[1,2]", "[1,2]") + " {}"))
        .isInstanceOf(ApiException.class)
        .hasMessage("unexpected content after the request object");
  }

  @Test
  void malformedJsonBecomesABadRequestWithoutLocation() {
    assertThatThrownBy(() -> decode(PAIRS, "{\"inputs\":[{\"name\":\"x\",}]}"))
        .isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400))
        .hasMessageStartingWith("request body is not valid JSON")
        .hasMessageNotContaining("line:")
        .hasMessageNotContaining("Source:");
  }

  private InferRequest decode(ModelSignature sig, String body) {
    return decoder(4L * 1024 * 1024).decode(utf8(body), sig, arena);
  }

  private static InferRequestDecoder decoder(long maxElements) {
    return new InferRequestDecoder(
        JsonLimits.factory(LimitsConfig.defaults(), 4L * 1024 * 1024), maxElements);
  }

  private static String xRequest(String shape, String data) {
    return "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":"
        + shape
        + ",\"data\":"
        + data
        + "}]}";
  }

  private static String input(String name, String datatype, String data) {
    long n = data.equals("[]") ? 0 : data.chars().filter(c -> c == ',').count() + 1;
    return "{\"name\":\""
        + name
        + "\",\"datatype\":\""
        + datatype
        + "\",\"shape\":["
        + n
        + "],\"data\":"
        + data
        + "}";
  }

  private static TensorSpec spec(String name, Datatype type, long... shape) {
    return new TensorSpec(name, type, shape, new String[shape.length]);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static ByteBuffer buffer(InferInput in) {
    return in.data().buffer();
  }

  private static float[] floats(InferInput in) {
    float[] out = new float[in.data().count()];
    for (int i = 0; i < out.length; i++) {
      out[i] = in.data().buffer().getFloat(i * 4);
    }
    return out;
  }

  private static byte[] bytes(InferInput in) {
    byte[] out = new byte[in.data().count()];
    in.data().buffer().get(0, out);
    return out;
  }
}
