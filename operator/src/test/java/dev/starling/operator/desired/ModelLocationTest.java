package dev.starling.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelLocationTest {

  @ParameterizedTest
  @CsvSource({
    "https://m.example.com/iris.onnx, HTTPS, , file:///models/model.onnx",
    "pvc://models/iris/1/model.onnx, PVC, models, file:///models/pvc/iris/1/model.onnx",
    "pvc://c/m.onnx, PVC, c, file:///models/pvc/m.onnx",
    "file:///opt/models/iris.onnx, FILE, , file:///opt/models/iris.onnx",
  })
  void decodesEachScheme(String uri, ModelLocation.Kind kind, String claim, String runtimeUri) {
    ModelLocation location = ModelLocation.parse(uri);
    assertThat(location.kind()).isEqualTo(kind);
    assertThat(location.claim().orElse(null)).isEqualTo(claim);
    assertThat(location.runtimeUri()).isEqualTo(runtimeUri);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://m/x.onnx", "s3://b/k", "pvc://claim", "pvc://claim/", "x"})
  void refusesWhatTheCrdRefuses(String uri) {
    assertThatThrownBy(() -> ModelLocation.parse(uri)).isInstanceOf(IllegalArgumentException.class);
  }
}
