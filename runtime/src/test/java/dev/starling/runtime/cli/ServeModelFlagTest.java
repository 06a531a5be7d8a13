package dev.starling.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.runtime.Main;
import dev.starling.runtime.config.BatchingConfig;
import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.ModelConfig;
import dev.starling.runtime.testing.Samples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve --model} with paths and https:// URLs, and {@code serve --ca-file}. */
class ServeModelFlagTest {
  @TempDir Path dir;

  /**
   * Batching flags: none leaves the opportunistic default, {@code --batch-max-delay} alone keeps it
   * opportunistic with that delay, {@code --batch-max-size 1} turns batching off.
   */
  @Test
  void batchingFlagsKeepOrReplaceTheOpportunisticDefault() {
    String iris = Samples.model("iris").toString();
    assertThat(batching("--model", iris)).isEqualTo(BatchingConfig.DEFAULT);
    BatchingConfig delayed = batching("--model", iris, "--batch-max-delay", "2ms");
    assertThat(delayed.opportunistic()).isTrue();
    assertThat(delayed.maxDelay()).isEqualTo(Duration.ofMillis(2));
    BatchingConfig off = batching("--model", iris, "--batch-max-size", "1");
    assertThat(off.enabled()).isFalse();
    assertThat(off.opportunistic()).isFalse();
    assertThat(batching("--model", iris, "--batch-max-size", "16", "--batch-max-delay", "1ms"))
        .isEqualTo(new BatchingConfig(16, Duration.ofMillis(1)));
  }

  private static BatchingConfig batching(String... args) {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd.resolve().models().get(0).batching();
  }

  @Test
  void aPathIsServedUnderItsStem() {
    Path iris = Samples.model("iris");

    ModelConfig m = ServeCommand.fromFlag(iris.toString());

    assertThat(m.name()).isEqualTo("iris");
    assertThat(m.source().uri()).isEqualTo(iris.toAbsolutePath().toUri().toString());
  }

  @Test
  void anHttpsUrlIsDownloadedNotReadAsAPath() {
    ModelConfig m = ServeCommand.fromFlag("https://models.example/fraud/2/fraud.onnx");

    assertThat(m.name()).isEqualTo("fraud");
    assertThat(m.source().uri()).isEqualTo("https://models.example/fraud/2/fraud.onnx");
  }

  @Test
  void aNameInFrontOfAUrlWinsAndAnEqualsSignInTheQueryIsNotAName() {
    assertThat(ServeCommand.fromFlag("risk=https://models.example/m.onnx?v=2").name())
        .isEqualTo("risk");
    ModelConfig unnamed = ServeCommand.fromFlag("https://models.example/m.onnx?v=2");
    assertThat(unnamed.name()).isEqualTo("m");
    assertThat(unnamed.source().uri()).isEqualTo("https://models.example/m.onnx?v=2");
  }

  @Test
  void aUrlWithoutAFileNameNeedsAName() {
    assertThatThrownBy(() -> ServeCommand.fromFlag("https://models.example/"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("NAME=URL");
  }

  @Test
  void aBadCaFileStopsServeBeforeItListensNamingTheFile() throws IOException {
    Path bad = Files.writeString(dir.resolve("ca.crt"), "not a certificate\n");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true));
    int code;
    try {
      code =
          Main.commandLine()
              .execute(
                  "serve",
                  "--model",
                  Samples.model("iris").toString(),
                  "--ca-file",
                  bad.toString(),
                  "--port",
                  "0",
                  "--log-format",
                  "text");
    } finally {
      System.setErr(err);
    }

    assertThat(code).isEqualTo(2);
    assertThat(captured.toString()).contains("--ca-file").contains(bad.toString());
  }
}
