package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.router.AnswerComparison.Outcome;
import dev.starling.runtime.router.AnswerComparison.Result;
import java.nio.charset.StandardCharsets;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerComparisonTest {
  private static final String IRIS =
      "{\"model_name\":\"iris\",\"model_version\":\"%s\",\"outputs\":["
          + "{\"name\":\"label\",\"shape\":[2],\"datatype\":\"INT64\",\"data\":[%s]},"
          + "{\"name\":\"probabilities\",\"shape\":[2,3],\"datatype\":\"FP32\",\"data\":[%s]}]}";

  private static Outcome compare(String live, String shadow, Double maxAbsDiff) {
    return AnswerComparison.compare(bytes(live), bytes(shadow), maxAbsDiff);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void sameLabelsAgreeAndReportTheLargestDifferences() {
    Outcome o =
        compare(
            IRIS.formatted("v1", "0,2", "0.9,0.1,0.0,0.1,0.2,0.7"),
            IRIS.formatted("v2", "0,2", "0.8,0.15,0.05,0.1,0.2,0.7"),
            null);
    assertThat(o.result()).isEqualTo(Result.AGREE);
    assertThat(o.maxAbsDiff()).isCloseTo(0.1, Offset.offset(1e-9));
    assertThat(o.maxRelDiff()).isCloseTo(1.0, Offset.offset(1e-9)); // 0.0 vs 0.05
  }

  @Test
  void aDifferentLabelInAnyRowDisagrees() {
    Outcome o =
        compare(
            IRIS.formatted("v1", "0,2", "0.9,0.1,0.0,0.1,0.2,0.7"),
            IRIS.formatted("v2", "0,1", "0.9,0.1,0.0,0.1,0.7,0.2"),
            null);
    assertThat(o.result()).isEqualTo(Result.DISAGREE);
    assertThat(o.maxAbsDiff()).isCloseTo(0.5, Offset.offset(1e-9));
  }

  @Test
  void scoresOnlyOutputsCompareByArgmaxPerRow() {
    String live = "{\"outputs\":[{\"name\":\"logits\",\"shape\":[2,3],\"data\":[1,5,2,9,0,0]}]}";
    String same = "{\"outputs\":[{\"name\":\"logits\",\"shape\":[2,3],\"data\":[0,3,2,4,1,1]}]}";
    String other = "{\"outputs\":[{\"name\":\"logits\",\"shape\":[2,3],\"data\":[0,3,2,0,1,1]}]}";
    assertThat(compare(live, same, null).result()).isEqualTo(Result.AGREE);
    assertThat(compare(live, other, null).result()).isEqualTo(Result.DISAGREE);
  }

  @Test
  void nestedDataIsReadRowMajor() {
    String flat = "{\"outputs\":[{\"name\":\"s\",\"shape\":[2,2],\"data\":[1,0,0,1]}]}";
    String nested = "{\"outputs\":[{\"name\":\"s\",\"shape\":[2,2],\"data\":[[1,0],[0,1]]}]}";
    Outcome o = compare(flat, nested, null);
    assertThat(o.result()).isEqualTo(Result.AGREE);
    assertThat(o.maxAbsDiff()).isZero();
  }

  @ParameterizedTest
  @CsvSource({"0.2,AGREE", "0.05,DISAGREE"})
  void maxAbsDiffTurnsLargeDifferencesIntoDisagreement(double limit, Result expected) {
    Outcome o =
        compare(
            IRIS.formatted("v1", "0,2", "0.9,0.1,0.0,0.1,0.2,0.7"),
            IRIS.formatted("v2", "0,2", "0.8,0.2,0.0,0.1,0.2,0.7"),
            limit);
    assertThat(o.result()).isEqualTo(expected);
  }

  @Test
  void kserveV1LabelledPredictionsCompareByLabel() {
    String live =
        "{\"predictions\":[{\"label\":\"setosa\",\"probabilities\":{\"setosa\":0.9,\"virginica\":0.1}}]}";
    String same =
        "{\"predictions\":[{\"label\":\"setosa\",\"probabilities\":{\"setosa\":0.7,\"virginica\":0.3}}]}";
    String other =
        "{\"predictions\":[{\"label\":\"virginica\",\"probabilities\":{\"setosa\":0.4,\"virginica\":0.6}}]}";
    Outcome agree = compare(live, same, null);
    assertThat(agree.result()).isEqualTo(Result.AGREE);
    assertThat(agree.maxAbsDiff()).isCloseTo(0.2, Offset.offset(1e-9));
    assertThat(compare(live, other, null).result()).isEqualTo(Result.DISAGREE);
  }

  @Test
  void kserveV1RowsCompareByArgmax() {
    assertThat(
            compare("{\"predictions\":[[0.1,0.9]]}", "{\"predictions\":[[0.4,0.6]]}", null)
                .result())
        .isEqualTo(Result.AGREE);
    assertThat(
            compare("{\"predictions\":[[0.1,0.9]]}", "{\"predictions\":[[0.6,0.4]]}", null)
                .result())
        .isEqualTo(Result.DISAGREE);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not json",
        "{\"error\":\"model not ready\"}",
        "{\"outputs\":[]}",
      })
  void aShadowAnswerThatIsNotAnInferenceAnswerIsAnError(String shadow) {
    Outcome o = compare(IRIS.formatted("v1", "0,2", "0.9,0.1,0.0,0.1,0.2,0.7"), shadow, null);
    assertThat(o.result()).isEqualTo(Result.ERROR);
  }
}
