package dev.starling.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generates the CRD from the Java types at every build and fails when the committed copy differs;
 * {@code mvn -pl crds test -Dcrd.update=true} rewrites the committed copy.
 */
class GeneratedCrdTest {

  private static String fresh;

  @BeforeAll
  static void generate() throws IOException {
    fresh = Files.readString(CrdGeneration.generate(Path.of(System.getProperty("crd.output"))));
  }

  @Test
  void committedCrdMatchesTheJavaTypes() throws IOException {
    Path committed = Path.of(System.getProperty("crd.committed"));
    String fresh =
        Files.readString(CrdGeneration.generate(Path.of(System.getProperty("crd.output"))));
    if (Boolean.getBoolean("crd.update")) {
      Files.writeString(committed, fresh);
    }
    assertThat(committed)
        .as("%s is missing; run: mvn -pl crds test -Dcrd.update=true", committed)
        .exists();
    assertThat(Files.readString(committed))
        .as(
            "%s differs from the CRD the Java types generate; run: mvn -pl crds test"
                + " -Dcrd.update=true and commit it",
            committed)
        .isEqualTo(fresh);
  }

  @Test
  void committedReferenceMatchesTheCrd() throws IOException {
    Path committed = Path.of(System.getProperty("crd.committed")).resolveSibling("REFERENCE.md");
    String reference = CrdReference.render(fresh);
    if (Boolean.getBoolean("crd.update")) {
      Files.writeString(committed, reference);
    }
    assertThat(committed).exists();
    assertThat(Files.readString(committed))
        .as("%s is stale; run: mvn -pl crds test -Dcrd.update=true", committed)
        .isEqualTo(reference);
  }

  @Test
  void printerColumnsKeepTheirDeclaredOrder() {
    assertThat(fresh)
        .containsSubsequence(
            "name: \"Ready\"",
            "name: \"Reason\"",
            "name: \"URL\"",
            "name: \"Versions\"",
            "name: \"Age\"");
  }

  @Test
  void versionsAreAMapListKeyedByName() {
    assertThat(fresh).contains("x-kubernetes-list-type: \"map\"").contains("- \"name\"");
  }
}
