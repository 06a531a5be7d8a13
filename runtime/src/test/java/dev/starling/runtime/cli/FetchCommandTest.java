package dev.starling.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.Main;
import dev.starling.runtime.model.Digests;
import dev.starling.runtime.testing.Samples;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fetch} exit codes, as the operator's init container sees them. */
class FetchCommandTest {
  @TempDir Path dir;

  @Test
  void matchingDigestExitsZeroAndWritesTheOutput() throws IOException {
    Path model = Samples.model("iris");
    String sha = Digests.sha256(model);
    Path out = dir.resolve("models/model.onnx");

    int code =
        Main.commandLine()
            .execute(
                "fetch", "--uri", model.toString(), "--sha256", sha, "--output", out.toString());

    assertThat(code).isZero();
    assertThat(Digests.sha256(out)).isEqualTo(sha);
  }

  @Test
  void fileUriWithoutDigestExitsZero() throws IOException {
    Path model = Samples.model("iris");
    Path out = dir.resolve("model.onnx");

    int code =
        Main.commandLine()
            .execute("fetch", "--uri", model.toUri().toString(), "--output", out.toString());

    assertThat(code).isZero();
    assertThat(Digests.sha256(out)).isEqualTo(Digests.sha256(model));
  }

  @Test
  void digestMismatchExitsOneAndWritesNothing() {
    Path out = dir.resolve("model.onnx");

    int code =
        Main.commandLine()
            .execute(
                "fetch",
                "--uri",
                Samples.model("iris").toString(),
                "--sha256",
                "0".repeat(64),
                "--output",
                out.toString());

    assertThat(code).isEqualTo(1);
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void missingSourceExitsOne() {
    int code =
        Main.commandLine()
            .execute(
                "fetch",
                "--uri",
                dir.resolve("nope.onnx").toString(),
                "--output",
                dir.resolve("m.onnx").toString());

    assertThat(code).isEqualTo(1);
  }

  @Test
  void plainHttpExitsOne() {
    int code =
        Main.commandLine()
            .execute(
                "fetch",
                "--uri",
                "http://127.0.0.1:1/m.onnx",
                "--output",
                dir.resolve("m.onnx").toString());

    assertThat(code).isEqualTo(1);
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void missingRequiredOptionIsAUsageError() {
    int code = Main.commandLine().execute("fetch", "--uri", "x.onnx");

    assertThat(code).isEqualTo(2);
  }
}
