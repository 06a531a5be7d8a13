package dev.starling.operator.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
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

  /** Hex SHA-256 of the rendered text; the pod template carries it so a change rolls the pods. */
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

    Map<String, Object> model = new LinkedHashMap<>();
    model.put("name", md.getMetadata().getName());
    model.put("version", v.getName());
    model.put("source", source);

    Map<String, Object> root = new LinkedHashMap<>();
    root.put(
        "server", ordered("port", Names.HTTP_PORT, "shutdownGracePeriod", SHUTDOWN_GRACE_PERIOD));
    root.put("inference", ordered("intraOpThreads", 1));
    root.put("logging", ordered("format", "json"));
    root.put("models", List.of(model));
    return root;
  }

  private static Map<String, Object> ordered(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }
}
