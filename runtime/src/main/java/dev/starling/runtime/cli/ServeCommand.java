package dev.starling.runtime.cli;

import dev.starling.runtime.config.BatchingConfig;
import dev.starling.runtime.config.CacheConfig;
import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.ConfigLoader;
import dev.starling.runtime.config.ConfigValidator;
import dev.starling.runtime.config.Durations;
import dev.starling.runtime.config.InferenceConfig;
import dev.starling.runtime.config.LoggingConfig;
import dev.starling.runtime.config.ModelConfig;
import dev.starling.runtime.config.RateLimitConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.SignatureConfig;
import dev.starling.runtime.config.SourceConfig;
import dev.starling.runtime.model.ModelFetcher;
import dev.starling.runtime.model.ModelLoadException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code serve}: reads the config (flags override the file) and runs the predictor. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve ONNX models over the Open Inference Protocol v2 and KServe V1.")
public final class ServeCommand implements Callable<Integer> {
  @Option(names = "--config", description = "runtime.yaml to read (see contract/README.md).")
  Path config;

  @Option(
      names = "--model",
      description =
          "A model to serve: PATH, https://URL or NAME=PATH|URL (name defaults to the file stem)."
              + " Repeatable.")
  List<String> models = new ArrayList<>();

  @Option(
      names = "--ca-file",
      description =
          "PEM file of CA certificates to trust for https:// models, in addition to the JDK's.")
  Path caFile;

  @Option(names = "--model-dir", description = "Serve every *.onnx file in this directory.")
  Path modelDir;

  @Option(names = "--host", description = "Listen address (default 0.0.0.0).")
  String host;

  @Option(names = "--port", description = "Listen port (default 8080; 0 picks a free one).")
  Integer port;

  @Option(
      names = "--intra-op-threads",
      description = "ONNX Runtime threads per inference (default 1).")
  Integer intraOpThreads;

  @Option(
      names = "--max-concurrent",
      description = "Inferences running at once (default: cores); calls under ~50 us skip it.")
  Integer maxConcurrent;

  @Option(names = "--max-inflight", description = "Requests per model in flight before fast 503s.")
  Integer maxInflight;

  @Option(
      names = "--inflight-limit",
      description =
          "fixed: --max-inflight requests per model whatever their latency; adaptive: fewer while"
              + " latency rises (default fixed).")
  String inflightLimit;

  @Option(
      names = "--inference-niceness",
      description =
          "Run inferences this much lower in CPU priority than the HTTP work (Linux nice, 0-19;"
              + " default 0 = same).")
  Integer inferenceNiceness;

  @Option(
      names = "--batch-max-size",
      description =
          "Dynamic batching: most rows per call (1 = off; unset: requests already queued"
              + " for a long model's call are merged, up to 32).")
  Integer batchMaxSize;

  @Option(
      names = "--batch-max-delay",
      description = "Dynamic batching: longest wait for company (e.g. 2ms).")
  String batchMaxDelay;

  @Option(names = "--cache-max-entries", description = "Prediction cache size per model (0 = off).")
  Long cacheMaxEntries;

  @Option(names = "--cache-ttl", description = "Prediction cache entry lifetime (e.g. 10m).")
  String cacheTtl;

  @Option(names = "--log-format", description = "json or text (default json; text on a terminal).")
  String logFormat;

  @Option(
      names = "--api-keys",
      description = "Require API keys: a file of id:key lines, re-read when it changes.")
  Path apiKeys;

  @Option(
      names = "--rate-limit",
      description = "Requests per second per client (API key, else address): RPS or RPS:BURST.")
  String rateLimit;

  @Option(
      names = "--reference-profile",
      description = "Drift monitoring against this reference profile (see the profile command).")
  Path referenceProfile;

  @Option(
      names = "--cds-training",
      hidden = true,
      description =
          "Training run for a class-data-sharing archive: once ready, send each served model"
              + " NAME the file DIR/NAME.request.json (and the other endpoints one request each),"
              + " then stop; exit 1 if an answer was not 200.")
  Path cdsTraining;

  @Override
  public Integer call() {
    RuntimeConfig cfg;
    try {
      cfg = ConfigValidator.validate(resolve());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    Logs.configure(cfg.logging().format());
    ModelFetcher fetcher;
    try {
      fetcher = ModelFetcher.trusting(caFile);
    } catch (ModelLoadException e) {
      System.err.println("--ca-file: " + e.getMessage());
      return 2;
    }
    return new RuntimeServer(
            cfg,
            config,
            this::resolve,
            cdsTraining == null ? null : new TrainingRun(cdsTraining),
            fetcher)
        .run();
  }

  RuntimeConfig resolve() {
    RuntimeConfig cfg =
        config != null
            ? ConfigLoader.load(config)
            : new RuntimeConfig(null, null, null, null, null);
    if (host != null) {
      cfg = cfg.withServer(cfg.server().withHost(host));
    }
    if (port != null) {
      cfg = cfg.withServer(cfg.server().withPort(port));
    }
    if (intraOpThreads != null
        || maxConcurrent != null
        || maxInflight != null
        || inferenceNiceness != null
        || inflightLimit != null) {
      InferenceConfig i = cfg.inference();
      cfg =
          cfg.withInference(
              new InferenceConfig(
                  intraOpThreads != null ? intraOpThreads : i.intraOpThreads(),
                  maxConcurrent != null ? maxConcurrent : i.maxConcurrent(),
                  maxInflight != null ? maxInflight : i.maxInflight(),
                  inferenceNiceness != null ? inferenceNiceness : i.niceness(),
                  inflightLimit != null ? inflightLimit : i.inflightLimit()));
    }
    String format =
        logFormat != null ? logFormat : config == null && System.console() != null ? "text" : null;
    if (format != null) {
      cfg = cfg.withLogging(new LoggingConfig(format));
    }
    if (apiKeys != null) {
      cfg = cfg.withAuth(cfg.auth().withApiKeysFile(apiKeys.toString()));
    }
    if (rateLimit != null) {
      cfg = cfg.withRateLimit(RateLimitConfig.parse(rateLimit, cfg.rateLimit()));
    }
    if (referenceProfile != null) {
      cfg = cfg.withDrift(cfg.drift().withReference(referenceProfile.toString()));
    }
    List<ModelConfig> all = new ArrayList<>(cfg.models());
    for (String m : models) {
      all.add(fromFlag(m));
    }
    if (modelDir != null) {
      all.addAll(fromDir(modelDir));
    }
    return cfg.withModels(all.stream().map(this::withFlags).toList());
  }

  /** Batching and cache flags apply to every model and override its config. */
  private ModelConfig withFlags(ModelConfig m) {
    if (batchMaxSize != null || batchMaxDelay != null) {
      BatchingConfig b =
          batchMaxSize != null
              ? new BatchingConfig(batchMaxSize, m.batching().maxDelay())
              : m.batching();
      m =
          m.withBatching(
              batchMaxDelay != null
                  ? b.withMaxDelay(duration("--batch-max-delay", batchMaxDelay))
                  : b);
    }
    if (cacheMaxEntries != null || cacheTtl != null) {
      m =
          m.withCache(
              new CacheConfig(
                  cacheMaxEntries != null ? cacheMaxEntries : m.cache().maxEntries(),
                  cacheTtl != null ? duration("--cache-ttl", cacheTtl) : m.cache().ttl()));
    }
    return m;
  }

  private static Duration duration(String flag, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag + ": " + e.getMessage());
    }
  }

  private static List<ModelConfig> fromDir(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ConfigException("--model-dir: " + dir + " is not a directory");
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".onnx"))
          .sorted()
          .map(p -> fromFile(null, p))
          .toList();
    } catch (IOException e) {
      throw new ConfigException("--model-dir: cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * One {@code --model}: {@code PATH}, {@code https://URL} or either with {@code NAME=} in front. A
   * URL is downloaded at start (trusting {@code --ca-file} too); its name defaults to the last path
   * segment's stem, and no signature sidecar is looked for.
   */
  static ModelConfig fromFlag(String flag) {
    int scheme = flag.indexOf("://");
    int eq = flag.indexOf('=');
    boolean named = eq > 0 && (scheme < 0 || eq < scheme);
    String name = named ? flag.substring(0, eq) : null;
    String source = named ? flag.substring(eq + 1) : flag;
    if (!source.startsWith("https://")) {
      return fromFile(name, Path.of(source));
    }
    String path;
    try {
      path = URI.create(source).getPath();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--model " + flag + ": not a URL: " + e.getMessage(), e);
    }
    String last = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
    String stem = last.replaceFirst("\\.onnx$", "");
    if (name == null && stem.isEmpty()) {
      throw new ConfigException("--model " + flag + ": name the model (NAME=URL)");
    }
    return new ModelConfig(
        name != null ? name : stem, null, new SourceConfig(source, null), null, null);
  }

  /**
   * A model from a file; {@code NAME.signature.yaml} next to {@code NAME.onnx}, if present, is its
   * signature config (named features, labels).
   */
  static ModelConfig fromFile(String name, Path file) {
    String stem = file.getFileName().toString().replaceFirst("\\.onnx$", "");
    Path sidecar = file.resolveSibling(stem + ".signature.yaml");
    SignatureConfig signature = Files.isRegularFile(sidecar) ? SignatureFiles.load(sidecar) : null;
    return new ModelConfig(
        name != null ? name : stem,
        null,
        new SourceConfig(file.toAbsolutePath().toUri().toString(), null),
        signature,
        null);
  }
}
