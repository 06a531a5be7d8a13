package dev.starling.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.SignatureConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignatureFilesTest {
  @TempDir Path dir;

  @Test
  void readsTheBundledFraudSignature() {
    SignatureConfig sig = SignatureFiles.load(Path.of("../samples/models/fraud.signature.yaml"));
    assertThat(sig.input()).isEqualTo("float_input");
    assertThat(sig.features()).hasSize(5);
    assertThat(sig.labels()).containsExactly("legit", "fraud");
  }

  @Test
  void anUnknownFieldIsNamedWithItsPath() throws Exception {
    Path file = dir.resolve("m.signature.yaml");
    Files.writeString(file, "input: x\nfeatures:\n  - {name: a, type: float, minimum: 0}\n");
    assertThatThrownBy(() -> SignatureFiles.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("unknown field 'features[0].minimum'");
  }

  @Test
  void duplicateKeysAndEmptyFilesAreRefused() throws Exception {
    Path dup = dir.resolve("dup.signature.yaml");
    Files.writeString(dup, "input: x\ninput: y\n");
    assertThatThrownBy(() -> SignatureFiles.load(dup))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("input");
    Path empty = dir.resolve("empty.signature.yaml");
    Files.writeString(empty, "");
    assertThatThrownBy(() -> SignatureFiles.load(empty))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("empty signature file");
  }
}
