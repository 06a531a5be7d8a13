package dev.starling.operator.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.starling.api.v1alpha1.Mirror;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.api.v1alpha1.Traffic;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the router's {@code router.yaml}, the operator→router contract (see
 * contract/router/operator-rendered.yaml): every field written out except {@code server.maxThreads}
 * (the router sizes its pool from the pod's cores, 4 per core and at least 12, which beats any
 * fixed number here), versions in spec order (sticky keys map onto that order), one endpoint per
 * version, its Service.
 */
public final class RouterConfigFactory {

  public static final String CONFIG_KEY = "router.yaml";
  public static final int MIRROR_MAX_INFLIGHT = 64;

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
              .build());

  private RouterConfigFactory() {}

  /**
   * The YAML text for the given weights (version name → weight, normally the effective weights); a
   * version missing from the map gets 0. The same inputs always give the same bytes.
   */
  public static String render(ModelDeployment md, Map<String, Integer> weights) {
    try {
      return YAML.writeValueAsString(tree(md, weights));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Object> tree(ModelDeployment md, Map<String, Integer> weights) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put(
        "server",
        ordered(
            "host",
            "0.0.0.0",
            "port",
            Names.HTTP_PORT,
            "shutdownGracePeriod",
            RuntimeConfigFactory.SHUTDOWN_GRACE_PERIOD,
            "drainDelay",
            "5s",
            "maxRequestBytes",
            4194304));
    root.put(
        "proxy",
        ordered(
            "connectTimeout", "2s",
            "requestTimeout", "30s",
            "idleTimeout", "15s",
            "maxConnectionsPerEndpoint", 256,
            "maxResponseBytes", 67108864));
    root.put("health", ordered("interval", "1s", "timeout", "1s", "failureThreshold", 3));
    root.put("reloadInterval", "1s");
    root.put("resolveInterval", "1s");
    root.put("logging", ordered("format", "json"));
    root.put("versions", versions(md, weights));
    Traffic traffic = md.getSpec().getTraffic();
    if (traffic != null) {
      if (traffic.getPinHeader() != null) {
        root.put("pinHeader", traffic.getPinHeader());
      }
      if (traffic.getSticky() != null) {
        root.put("sticky", ordered("header", traffic.getSticky().getHeader()));
      }
      if (traffic.getMirror() != null) {
        root.put("mirror", mirror(traffic.getMirror()));
      }
    }
    return root;
  }

  private static List<Map<String, Object>> versions(
      ModelDeployment md, Map<String, Integer> weights) {
    List<Map<String, Object>> versions = new ArrayList<>();
    for (ModelVersion v : md.getSpec().getVersions()) {
      versions.add(
          ordered(
              "name", v.getName(),
              "weight", weights.getOrDefault(v.getName(), 0),
              "endpoints", List.of(endpoint(md, v))));
    }
    return versions;
  }

  /** The version's Service inside the cluster, e.g. {@code http://fraud-v1.ml.svc:8080}. */
  public static String endpoint(ModelDeployment md, ModelVersion v) {
    return "http://"
        + Names.version(md, v)
        + "."
        + md.getMetadata().getNamespace()
        + ".svc:"
        + Names.HTTP_PORT;
  }

  private static Map<String, Object> mirror(Mirror m) {
    Map<String, Object> mirror =
        ordered(
            "version", m.getVersion(),
            "percent", m.getPercent(),
            "maxInflight", MIRROR_MAX_INFLIGHT);
    if (m.getMaxAbsDiff() != null) {
      mirror.put("maxAbsDiff", m.getMaxAbsDiff());
    }
    return mirror;
  }

  private static Map<String, Object> ordered(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }
}
