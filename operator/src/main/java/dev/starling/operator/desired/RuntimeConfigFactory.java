package dev.starling.operator.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.starling.api.v1alpha1.Auth;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelDeploymentSpec;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.api.v1alpha1.RateLimit;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders one version's {@code runtime.yaml}, the operator→runtime contract (see
 * contract/runtime/operator-rendered.yaml).
 */
public final class RuntimeConfigFactory {

  /** Longer than this and the pod's termination grace period must grow with it. */
  public static final String SHUTDOWN_GRACE_PERIOD = "20s";

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
              .build());

  private RuntimeConfigFactory() {}

  /** The YAML text; the same spec always gives the same bytes. */
  public static String render(ModelDeployment md, ModelVersion v) {
    try {
      return YAML.writeValueAsString(tree(md, v));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Hex SHA-256 of what the runtime can only take at start: the rendered config without what it
   * re-applies when its runtime.yaml changes (the model source and signature, batching, cache,
   * {@code inference.maxInflight} and {@code inflightLimit}, auth and rate limits; see the
   * runtime's ConfigWatcher). The pod template carries it, so a change of server, threads ({@code
   * inference.niceness} too), logging or drift rolls the pods, while the live settings reach the
   * running pods through the ConfigMap (after the kubelet's sync, about a minute). Turning auth on
   * or off, or naming another Secret, still rolls: the Secret volume is in the template. An https
   * model still rolls too: its URI lives in the fetch init container.
   */
  public static String restartHash(ModelDeployment md, ModelVersion v) {
    Map<String, Object> tree = tree(md, v);
    @SuppressWarnings("unchecked")
    Map<String, Object> model =
        new LinkedHashMap<>(((List<Map<String, Object>>) tree.get("models")).get(0));
    model.remove("source");
    model.remove("signature"); // a new signature swaps the model in place, like a new source
    model.remove("batching");
    model.remove("cache");
    tree.put("models", List.of(model));
    @SuppressWarnings("unchecked")
    Map<String, Object> inference =
        new LinkedHashMap<>((Map<String, Object>) tree.get("inference"));
    inference.remove("maxInflight");
    inference.remove("inflightLimit");
    tree.put("inference", inference);
    tree.remove("auth");
    tree.remove("rateLimit");
    try {
      return hash(YAML.writeValueAsString(tree));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Hex SHA-256 of a text. */
  public static String hash(String rendered) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(rendered.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> tree(ModelDeployment md, ModelVersion v) {
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("uri", ModelLocation.parse(v.getModel().getUri()).runtimeUri());
    VersionDefaults.sha256(v).ifPresent(sha -> source.put("sha256", sha));

    ModelDeploymentSpec spec = md.getSpec();
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("name", md.getMetadata().getName());
    model.put("version", v.getName());
    model.put("source", source);
    RuntimeSignature.of(spec, v).ifPresent(s -> model.put("signature", RuntimeSignature.render(s)));
    RuntimeSettings.batching(spec, v)
        .map(b -> present("maxBatchSize", b.getMaxBatchSize(), "maxDelay", b.getMaxDelay()))
        .filter(m -> !m.isEmpty())
        .ifPresent(m -> model.put("batching", m));
    RuntimeSettings.cache(spec, v)
        .map(c -> present("maxEntries", c.getMaxEntries(), "ttl", c.getTtl()))
        .filter(m -> !m.isEmpty())
        .ifPresent(m -> model.put("cache", m));

    Map<String, Object> inference = ordered("intraOpThreads", 1);
    RuntimeSettings.maxInflight(spec, v).ifPresent(n -> inference.put("maxInflight", n));
    RuntimeSettings.niceness(spec, v).ifPresent(n -> inference.put("niceness", n));
    RuntimeSettings.inflightLimit(spec, v).ifPresent(l -> inference.put("inflightLimit", l));

    Map<String, Object> root = new LinkedHashMap<>();
    root.put(
        "server", ordered("port", Names.HTTP_PORT, "shutdownGracePeriod", SHUTDOWN_GRACE_PERIOD));
    root.put("inference", inference);
    root.put("logging", ordered("format", "json"));
    root.put("models", List.of(model));
    Auth auth = spec.getAuth();
    if (auth != null) {
      root.put(
          "auth",
          present(
              "apiKeysFile",
              PodTemplateFactory.API_KEYS_FILE,
              "protectMetrics",
              auth.getProtectMetrics(),
              "reloadInterval",
              auth.getReloadInterval()));
    }
    RateLimit rateLimit = spec.getRateLimit();
    if (rateLimit != null) {
      root.put(
          "rateLimit",
          present(
              "requestsPerSecond", plain(rateLimit.getRequestsPerSecond()),
              "burst", rateLimit.getBurst(),
              "maxClients", rateLimit.getMaxClients()));
    }
    Map<String, Object> drift = new LinkedHashMap<>();
    RuntimeSettings.drift(spec, v)
        .ifPresent(
            d -> {
              drift.put("reference", PodTemplateFactory.DRIFT_PROFILE_FILE);
              drift.put("model", md.getMetadata().getName());
              if (d.getWindow() != null) {
                drift.put("window", d.getWindow());
              }
            });
    RuntimeSettings.feedback(spec, v)
        .ifPresent(
            f -> {
              Map<String, Object> feedback = ordered("enabled", true);
              feedback.putAll(
                  present(
                      "maxEntries", f.getMaxEntries(), "ttl", f.getTtl(), "window", f.getWindow()));
              drift.put("feedback", feedback);
            });
    if (!drift.isEmpty()) {
      root.put("drift", drift);
    }
    return root;
  }

  /** 50.0 as 50, 2.5 as 2.5: what a person would write. */
  static Number plain(Double d) {
    if (d == null) {
      return null;
    }
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Number) d.longValue() : d;
  }

  /** Like {@link #ordered} but leaves out the keys whose value is null. */
  private static Map<String, Object> present(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      if (keyValues[i + 1] != null) {
        map.put((String) keyValues[i], keyValues[i + 1]);
      }
    }
    return map;
  }

  private static Map<String, Object> ordered(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }
}
