package dev.starling.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.Main;
import dev.starling.runtime.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --cds-training}: serves, calls itself once ready, stops by itself. */
class TrainingRunTest {
  @TempDir Path dir;

  private static int serveWithTraining(Path requests) {
    return Main.commandLine()
        .execute(
            "serve",
            "--model",
            Samples.model("iris").toString(),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--log-format",
            "text",
            "--cds-training",
            requests.toString());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void trainingOnTheSampleRequestsStopsTheServerAndExitsZero() {
    assertThat(serveWithTraining(Samples.model("iris").getParent())).isZero();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aTrainingRequestThatIsNotAnsweredWith200ExitsOne() throws IOException {
    Files.writeString(dir.resolve("iris.request.json"), "{\"inputs\": [");

    assertThat(serveWithTraining(dir)).isEqualTo(1);
  }
}
