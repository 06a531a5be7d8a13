package dev.starling.runtime.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.starling.runtime.Main;
import dev.starling.runtime.testing.Samples;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code starling-runtime.jar profile} on the bundled fraud model and its reference CSV. */
class ProfileCommandTest {
  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int profile(String... args) {
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("profile"));
    all.addAll(List.of(args));
    return cmd.execute(all.toArray(String[]::new));
  }

  @Test
  void fraudProfileHasBinsCategoriesAndPredictionSharesThatSumToOne() throws Exception {
    Path output = dir.resolve("fraud-profile.json");
    int code =
        profile(
            "--model", Samples.model("fraud").toString(),
            "--data", Samples.repoRoot().resolve("samples/models/fraud-reference.csv").toString(),
            "--output", output.toString());
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("profiled 2000 rows");

    JsonNode p = new ObjectMapper().readTree(output.toFile());
    assertThat(p.get("format").asText()).isEqualTo(ReferenceProfile.FORMAT);
    assertThat(p.get("rows").asInt()).isEqualTo(2000);
    assertThat(p.get("modelSha256").asText()).hasSize(64);
    List<String> names = new ArrayList<>();
    p.get("features").forEach(f -> names.add(f.get("name").asText()));
    assertThat(names).containsExactly("amount", "age", "account_age_days", "country", "foreign_ip");
    for (JsonNode f : p.get("features")) {
      assertThat(sum(f.get("proportions"))).as(f.get("name").asText()).isCloseTo(1, within(1e-9));
    }
    JsonNode amount = p.get("features").get(0);
    assertThat(amount.get("kind").asText()).isEqualTo("numeric");
    assertThat(amount.get("edges")).hasSize(9);
    assertThat(amount.get("proportions")).hasSize(10);
    JsonNode country = p.get("features").get(3);
    assertThat(country.get("kind").asText()).isEqualTo("categorical");
    assertThat(country.get("categories").toString())
        .isEqualTo("[\"US\",\"DE\",\"FR\",\"GB\",\"BR\",\"IN\"]");
    assertThat(p.get("features").get(4).get("categories").toString())
        .isEqualTo("[\"false\",\"true\"]");
    JsonNode prediction = p.get("prediction");
    assertThat(prediction.get("name").asText()).isEqualTo("probabilities");
    assertThat(prediction.get("categories").toString()).isEqualTo("[\"legit\",\"fraud\"]");
    assertThat(sum(prediction.get("proportions"))).isCloseTo(1, within(1e-9));
    // ≈2 % fraud in training; the model flags a fraction of a percent of the reference rows
    assertThat(prediction.get("proportions").get(1).asDouble()).isBetween(0.0005, 0.05);

    // the amount shares, recounted here from the CSV with the profile's edges
    double[] edges = doubles(amount.get("edges"));
    long[] counts = new long[edges.length + 1];
    List<String> lines =
        Files.readAllLines(Samples.repoRoot().resolve("samples/models/fraud-reference.csv"));
    for (String line : lines.subList(1, lines.size())) {
      double v = (float) Double.parseDouble(line.split(",")[0]);
      counts[(int) Arrays.stream(edges).filter(e -> e <= v).count()]++;
    }
    for (int i = 0; i < counts.length; i++) {
      assertThat(amount.get("proportions").get(i).asDouble()).isEqualTo(counts[i] / 2000.0);
    }
  }

  @Test
  void aModelWithoutNamedFeaturesTakesTheColumnsFromTheHeader() throws Exception {
    Path csv = dir.resolve("iris.csv");
    Random rnd = new Random(7);
    StringBuilder sb = new StringBuilder("sepal_length,sepal_width,petal_length,petal_width\n");
    for (int i = 0; i < 300; i++) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%.1f,%.1f,%.1f,%.1f%n",
              4.3 + rnd.nextDouble() * 3.6,
              2.0 + rnd.nextDouble() * 2.4,
              1.0 + rnd.nextDouble() * 5.9,
              0.1 + rnd.nextDouble() * 2.4));
    }
    Files.writeString(csv, sb);
    Path output = dir.resolve("iris-profile.yaml");
    int code =
        profile(
            "--model", Samples.model("iris").toString(),
            "--data", csv.toString(),
            "--output", output.toString(),
            "--bins", "5");
    assertThat(code).as(err.toString()).isZero();
    ReferenceProfile p = ReferenceProfile.read(output);
    assertThat(p.features())
        .extracting(FeatureProfile::name)
        .containsExactly("sepal_length", "sepal_width", "petal_length", "petal_width");
    assertThat(p.features().get(0).proportions()).hasSize(5);
    assertThat(p.prediction().categories()).containsExactly("setosa", "versicolor", "virginica");
    assertThat(p.prediction().proportions().stream().mapToDouble(d -> d).sum())
        .isCloseTo(1, within(1e-9));
  }

  @Test
  void aBadCellIsReportedWithItsLineAndColumn() throws Exception {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(
        csv,
        "amount,age,account_age_days,country,foreign_ip\n"
            + "10.5,30,100,US,false\n"
            + "12.0,41,200,XX,true\n");
    int code =
        profile(
            "--model", Samples.model("fraud").toString(),
            "--data", csv.toString(),
            "--output", dir.resolve("p.json").toString());
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("line 3").contains("'country' = 'XX'").contains("US, DE");
    assertThat(dir.resolve("p.json")).doesNotExist();
  }

  private static double sum(JsonNode array) {
    double s = 0;
    for (JsonNode n : array) {
      s += n.asDouble();
    }
    return s;
  }

  private static double[] doubles(JsonNode array) {
    double[] d = new double[array.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = array.get(i).asDouble();
    }
    return d;
  }
}
