package dev.starling.operator;

import dev.starling.api.v1alpha1.Autoscaling;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelDeploymentSpec;
import dev.starling.api.v1alpha1.ModelSource;
import dev.starling.api.v1alpha1.ModelVersion;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds ModelDeployments for tests. */
public final class TestingModelDeployments {

  public static final String ZERO_SHA = "0".repeat(64);

  private TestingModelDeployments() {}

  public static ModelVersion version(String name, String uri, Integer weight) {
    return new ModelVersion(name, new ModelSource(uri, null), weight);
  }

  public static ModelVersion version(
      String name, String uri, String sha256, Integer weight, Integer min, Integer max) {
    ModelVersion v = new ModelVersion(name, new ModelSource(uri, sha256), weight);
    if (min != null || max != null) {
      v.setAutoscaling(new Autoscaling(min, max));
    }
    return v;
  }

  public static ModelDeployment md(String name, ModelVersion... versions) {
    ModelDeployment md =
        new ModelDeployment(new ModelDeploymentSpec(new ArrayList<>(List.of(versions)), null));
    md.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("ml")
            .withGeneration(1L)
            .withUid("uid-" + name)
            .withLabels(
                Map.of(
                    "app.kubernetes.io/instance", "argo-app",
                    "argocd.argoproj.io/instance", "argo-app"))
            .withAnnotations(Map.of("argocd.argoproj.io/tracking-id", "x"))
            .build());
    return md;
  }

  /** iris with one https version v1, the model behind contract/runtime/operator-rendered.yaml. */
  public static ModelDeployment iris() {
    return md(
        "iris",
        version("v1", "https://models.example.com/iris/1/model.onnx", ZERO_SHA, null, null, null));
  }

  /** fraud with v1=90 (2..10 replicas) and v2=10. */
  public static ModelDeployment fraud() {
    return md(
        "fraud",
        version("v1", "https://models.example.com/fraud/1/model.onnx", null, 90, 2, 10),
        version("v2", "pvc://models/fraud/2/model.onnx", null, 10, null, null));
  }

  /** samples/{file} as a ModelDeployment in namespace "ml", as the API server would store it. */
  public static ModelDeployment sample(String file) {
    try {
      String yaml =
          java.nio.file.Files.readString(
              java.nio.file.Path.of(System.getProperty("starling.repo", ".."), "samples", file));
      ModelDeployment md =
          io.fabric8.kubernetes.client.utils.Serialization.unmarshal(yaml, ModelDeployment.class);
      md.getMetadata().setNamespace("ml");
      md.getMetadata().setGeneration(1L);
      md.getMetadata().setUid("uid-" + md.getMetadata().getName());
      return md;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
