package dev.starling.runtime.cli;

import dev.starling.runtime.model.Digests;
import dev.starling.runtime.model.ModelFetcher;
import dev.starling.runtime.model.ModelLoadException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Downloads a model and verifies its digest; the operator runs this as the init container. */
@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    description =
        "Fetch a model (https://, file:// or a path), verify its sha256, write it to --output.")
public final class FetchCommand implements Callable<Integer> {
  @Option(names = "--uri", required = true, description = "Model source.")
  String uri;

  @Option(names = "--sha256", description = "Expected SHA-256 (64 hex); a mismatch fails.")
  String sha256;

  @Option(names = "--output", required = true, description = "Where to write the model.")
  Path output;

  @Option(
      names = "--ca-file",
      description =
          "PEM file of CA certificates to trust for https:// sources, in addition to the JDK's.")
  Path caFile;

  @Override
  public Integer call() throws IOException {
    try {
      Path file = ModelFetcher.trusting(caFile).fetch(uri, sha256, output);
      System.out.println(
          "fetched " + uri + " to " + file + " (sha256 " + Digests.sha256(file) + ")");
      return 0;
    } catch (ModelLoadException e) {
      System.err.println("fetch failed: " + e.getMessage());
      return 1;
    }
  }
}
