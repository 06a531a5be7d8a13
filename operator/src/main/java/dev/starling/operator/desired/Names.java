package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import java.util.LinkedHashMap;
import java.util.Map;

/** Names and labels of the objects the operator creates for a ModelDeployment. */
public final class Names {

  public static final String MANAGED_BY = "starling-operator";
  public static final String MANAGED_BY_SELECTOR = "app.kubernetes.io/managed-by=" + MANAGED_BY;
  public static final String LABEL_MODEL_DEPLOYMENT = "serving.starling.dev/model-deployment";
  public static final String LABEL_VERSION = "serving.starling.dev/version";
  public static final String ANNOTATION_CONFIG_HASH = "serving.starling.dev/config-sha256";
  public static final String RUNTIME_CONFIG_KEY = "runtime.yaml";
  public static final int HTTP_PORT = 8080;

  private Names() {}

  /** {@code <md>-<version>}: the ConfigMap, Deployment, Service, HPA and PDB of one version. */
  public static String version(ModelDeployment md, ModelVersion v) {
    return md.getMetadata().getName() + "-" + v.getName();
  }

  /** {@code <md>-router}: the router's ConfigMap, Deployment, Service and HPA (builtin mode). */
  public static String router(ModelDeployment md) {
    return md.getMetadata().getName() + "-router";
  }

  /** The immutable pod selector of the router Deployment. */
  public static Map<String, String> routerSelector(ModelDeployment md) {
    return Map.of(
        LABEL_MODEL_DEPLOYMENT,
        md.getMetadata().getName(),
        "app.kubernetes.io/component",
        "router");
  }

  /** Labels every child carries; never the CR's own labels (Argo CD tracks by those). */
  public static Map<String, String> labels(ModelDeployment md, String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "starling");
    labels.put("app.kubernetes.io/component", component);
    labels.put("app.kubernetes.io/part-of", md.getMetadata().getName());
    labels.put("app.kubernetes.io/managed-by", MANAGED_BY);
    labels.put(LABEL_MODEL_DEPLOYMENT, md.getMetadata().getName());
    return labels;
  }

  /** Labels of one version's objects and pods. */
  public static Map<String, String> versionLabels(
      ModelDeployment md, ModelVersion v, String component) {
    Map<String, String> labels = labels(md, component);
    labels.put("app.kubernetes.io/version", v.getName());
    labels.put(LABEL_VERSION, v.getName());
    return labels;
  }

  /** The immutable pod selector of one version's Deployment. */
  public static Map<String, String> versionSelector(ModelDeployment md, ModelVersion v) {
    return Map.of(LABEL_MODEL_DEPLOYMENT, md.getMetadata().getName(), LABEL_VERSION, v.getName());
  }

  /** In-cluster URL of the stable Service. */
  public static String url(ModelDeployment md) {
    return "http://"
        + md.getMetadata().getName()
        + "."
        + md.getMetadata().getNamespace()
        + ".svc:"
        + HTTP_PORT;
  }
}
