package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InferRouteTest {

  @ParameterizedTest
  @CsvSource(
      nullValues = "-",
      value = {
        "/v2/models/iris/infer, false, iris, -, /v2/models/{model}/infer",
        "/v2/models/iris_tree-2.x/infer, false, iris_tree-2.x, -, /v2/models/{model}/infer",
        "/v2/models/iris/versions/1/infer, false, iris, 1,"
            + " /v2/models/{model}/versions/{version}/infer",
        "/v2/models/infer/infer, false, infer, -, /v2/models/{model}/infer",
        "/v1/models/iris:predict, true, iris, -, /v1/models/{model}:predict",
        "/v1/models/m.1:predict, true, m.1, -, /v1/models/{model}:predict",
      })
  void plainInferencePathsMatch(
      String path, boolean v1, String model, String version, String pattern) {
    assertThat(InferRoute.match(path)).isEqualTo(new InferRoute(v1, model, version, pattern));
  }

  /** Every other spelling is left to Javalin, which decodes, normalizes or refuses it itself. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/models/infer",
        "/v2/models//infer",
        "/v2/models/ir%69s/infer",
        "/v2/models/iris/infer/",
        "/v2/models/iris/ready",
        "/v2/models/iris/feedback",
        "/v2/models/../infer",
        "/v2/models/./infer",
        "/v2/models/iris/versions//infer",
        "/v2/models/iris/versions/1/2/infer",
        "/v2/models/iris/versions/infer",
        "/v2/models/iris/x/infer",
        "/v2/models/a b/infer",
        "/v2/models/iris;p=1/infer",
        "/V2/models/iris/infer",
        "/v2//models/iris/infer",
        "/v1/models/:predict",
        "/v1/models/a/b:predict",
        "/v1/models/a:b:predict",
        "/v1/models/ir%69s:predict",
        "/v1/models/iris",
        "/v2/models/iris",
        "/metrics",
        "/",
      })
  void otherPathsDoNotMatch(String path) {
    assertThat(InferRoute.match(path)).isNull();
  }
}
