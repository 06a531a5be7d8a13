package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelDeploymentSpec;
import dev.starling.api.v1alpha1.ModelSource;
import dev.starling.api.v1alpha1.ModelVersion;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator is killed at random points while it creates and updates children, 20 times; each
 * time a new one converges to exactly one child of each kind per version (and the router when there
 * is more than one version: rounds go 1 -> 2 -> 1 versions and back at random), with an HPA and PDB
 * only for the version that has weight.
 */
@ExtendWith(TestWorldExtension.class)
class OperatorRestartIT {

  private static final int ROUNDS = 20;

  @Test
  void killedAtRandomPointsConvergesToExactlyOneChildPerKindAndVersion(
      TestWorld world, TestNamespace ns) {
    long seed = Long.getLong("starling.seed", System.nanoTime());
    System.out.println(
        "OperatorRestartIT seed " + seed + " (rerun with -Dstarling.seed=" + seed + ")");
    Random random = new Random(seed);
    try {
      for (int round = 1; round <= ROUNDS; round++) {
        List<String> versions = change(ns, round, random);
        // let the operator get part way, then cut it off mid-flight
        sleep(random.nextInt(400));
        world.killOperator();
        world.startOperator();

        ModelDeployment md = ns.awaitReady("chaos", Duration.ofSeconds(90));
        assertThat(md.getStatus().getVersions())
            .extracting(v -> v.getName())
            .containsExactlyElementsOf(versions);
        List<String> perVersion = versions.stream().map(v -> "chaos-" + v).toList();
        // a router only with more than one version; one no longer needed goes once <md> left it
        List<String> router = versions.size() > 1 ? List.of("chaos-router") : List.of();
        List<String> withRouter = Stream.concat(perVersion.stream(), router.stream()).toList();
        // only the first version has weight; the others are scaled to zero without an HPA
        int r = round;
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  Map<String, List<String>> children = ns.children("chaos");
                  assertThat(children.get("ConfigMap"))
                      .as("round %d", r)
                      .containsExactlyInAnyOrderElementsOf(withRouter);
                  assertThat(children.get("Deployment"))
                      .as("round %d", r)
                      .containsExactlyInAnyOrderElementsOf(withRouter);
                  assertThat(children.get("HorizontalPodAutoscaler"))
                      .as("round %d", r)
                      .containsExactlyInAnyOrderElementsOf(
                          Stream.concat(Stream.of(perVersion.get(0)), router.stream()).toList());
                  assertThat(children.get("Service"))
                      .as("round %d", r)
                      .containsExactlyInAnyOrderElementsOf(
                          Stream.concat(Stream.of("chaos"), perVersion.stream()).toList());
                  List<String> pdbs =
                      md.getSpec().getVersions().stream()
                          .limit(1)
                          .filter(
                              v ->
                                  v.getAutoscaling() != null
                                      && v.getAutoscaling().getMinReplicas() >= 2)
                          .map(v -> "chaos-" + v.getName())
                          .toList();
                  assertThat(children.get("PodDisruptionBudget"))
                      .as("round %d", r)
                      .containsExactlyInAnyOrderElementsOf(pdbs);
                });
      }
    } finally {
      if (world.operator() == null) {
        world.startOperator();
      }
    }
  }

  /** Round 1 creates; later rounds add, drop or change versions; returns the version names. */
  private static List<String> change(TestNamespace ns, int round, Random random) {
    int count = 1 + random.nextInt(3);
    List<ModelVersion> versions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ModelVersion v =
          new ModelVersion(
              "v" + (i + random.nextInt(2)),
              new ModelSource(
                  "https://models.example.com/chaos/" + round + "/" + i + ".onnx", null),
              null);
      if (versions.stream().anyMatch(x -> x.getName().equals(v.getName()))) {
        continue;
      }
      v.setAutoscaling(new dev.starling.api.v1alpha1.Autoscaling(1 + random.nextInt(2), 3));
      versions.add(v);
    }
    for (int i = 0; i < versions.size(); i++) {
      versions.get(i).setWeight(i == 0 ? 100 : 0);
    }
    var client = ns.admin().resources(ModelDeployment.class).inNamespace(ns.name());
    if (round == 1) {
      ModelDeployment md = new ModelDeployment(new ModelDeploymentSpec(versions, null));
      md.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("chaos").build());
      ns.create(md);
    } else {
      // a merge patch of the spec, as `kubectl apply` would; no resourceVersion to race the
      // operator's status writes
      String patch = Serialization.asJson(Map.of("spec", new ModelDeploymentSpec(versions, null)));
      client.withName("chaos").patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }
    return versions.stream().map(ModelVersion::getName).toList();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
