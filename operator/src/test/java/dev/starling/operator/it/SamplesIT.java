package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.operator.desired.Names;
import dev.starling.operator.desired.VersionDefaults;
import dev.starling.operator.traffic.RouterPresence;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every sample applies, gets its children, and becomes Ready through the real controllers. */
@ExtendWith(TestWorldExtension.class)
class SamplesIT {

  static Stream<String> samples() throws IOException {
    try (var files = Files.list(TestWorld.get().repo().resolve("samples"))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".yaml"))
          .sorted()
          .toList()
          .stream();
    }
  }

  /**
   * The samples to apply side by side in one namespace: the first of each name (the walkthrough's
   * fraud-v1.yaml is the same ModelDeployment as fraud-canary.yaml before v2 is added).
   */
  static List<ModelDeployment> distinctSamples(TestNamespace ns) throws IOException {
    Set<String> names = new HashSet<>();
    return samples().map(ns::sample).filter(md -> names.add(md.getMetadata().getName())).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void sampleBecomesReadyWithExpectedChildren(String file, TestNamespace ns) {
    ns.samplePrerequisites();
    ModelDeployment md = ns.create(ns.sample(file));
    String name = md.getMetadata().getName();

    ModelDeployment ready = ns.awaitReady(name, Duration.ofSeconds(90));

    List<String> versions =
        md.getSpec().getVersions().stream().map(v -> name + "-" + v.getName()).toList();
    // once Ready every effective weight equals the desired one, so these are the running versions
    List<ModelVersion> running =
        md.getSpec().getVersions().stream().filter(v -> runs(md, v)).toList();
    List<String> hpas =
        running.stream().map(v -> name + "-" + v.getName()).collect(Collectors.toList());
    // a router only when there is something to route (more than one version, or a mirror)
    boolean routed = TrafficPlan.builtin(md) && RouterPresence.needed(md);
    List<String> routerObjects = routed ? List.of(name + "-router") : List.of();
    hpas.addAll(routerObjects);
    var children = ns.children(name);
    assertThat(children.get("ConfigMap"))
        .containsExactlyInAnyOrderElementsOf(concat(versions, routerObjects));
    assertThat(children.get("Deployment"))
        .containsExactlyInAnyOrderElementsOf(concat(versions, routerObjects));
    assertThat(children.get("HorizontalPodAutoscaler")).containsExactlyInAnyOrderElementsOf(hpas);
    // the router's pods are reached through the stable Service alone (no <md>-router Service)
    assertThat(children.get("Service"))
        .containsExactlyInAnyOrderElementsOf(concat(List.of(name), versions));
    // <md> selects the router's pods, or without a router the (primary) version's pods
    assertThat(
            ns.admin()
                .services()
                .inNamespace(ns.name())
                .withName(name)
                .get()
                .getSpec()
                .getSelector())
        .isEqualTo(
            routed
                ? Names.routerSelector(md)
                : Map.of(
                    Names.LABEL_MODEL_DEPLOYMENT,
                    name,
                    Names.LABEL_VERSION,
                    VersionDefaults.primary(md.getSpec()).getName()));
    List<String> wantPdb =
        running.stream()
            .filter(
                v ->
                    v.getAutoscaling() != null
                        && v.getAutoscaling().getMinReplicas() != null
                        && v.getAutoscaling().getMinReplicas() >= 2)
            .map(v -> name + "-" + v.getName())
            .collect(Collectors.toList());
    var router = md.getSpec().getTraffic() == null ? null : md.getSpec().getTraffic().getRouter();
    var sized = router == null ? null : router.getAutoscaling();
    if (routed && sized != null) {
      // spec.traffic.router sizes the router's HPA, and from 2 replicas it gets a PDB
      HorizontalPodAutoscaler routerHpa =
          ns.admin()
              .autoscaling()
              .v2()
              .horizontalPodAutoscalers()
              .inNamespace(ns.name())
              .withName(name + "-router")
              .get();
      if (sized.getMinReplicas() != null) {
        assertThat(routerHpa.getSpec().getMinReplicas()).isEqualTo(sized.getMinReplicas());
      }
      if (sized.getMaxReplicas() != null) {
        assertThat(routerHpa.getSpec().getMaxReplicas()).isEqualTo(sized.getMaxReplicas());
      }
      // a scale-down window reaches the router's HPA as behavior.scaleDown (the API server keeps
      // it)
      if (sized.getScaleDownStabilizationWindowSeconds() != null) {
        assertThat(routerHpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
            .isEqualTo(sized.getScaleDownStabilizationWindowSeconds());
      }
      if (sized.getMinReplicas() != null && sized.getMinReplicas() >= 2) {
        wantPdb.add(name + "-router");
      }
    }
    if (routed && router != null && router.getResources() != null) {
      Deployment rd =
          ns.admin().apps().deployments().inNamespace(ns.name()).withName(name + "-router").get();
      var resources = rd.getSpec().getTemplate().getSpec().getContainers().get(0).getResources();
      assertThat(resources.getRequests()).isEqualTo(router.getResources().getRequests());
      assertThat(resources.getLimits()).isEqualTo(router.getResources().getLimits());
    }
    assertThat(children.get("PodDisruptionBudget")).containsExactlyInAnyOrderElementsOf(wantPdb);

    for (var v : running) {
      String child = name + "-" + v.getName();
      Deployment d = ns.admin().apps().deployments().inNamespace(ns.name()).withName(child).get();
      assertThat(d.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo(ready.getMetadata().getUid()));
      assertThat(d.getStatus().getConditions())
          .anyMatch(c -> c.getType().equals("Available") && c.getStatus().equals("True"));
      assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo(v.getImage() != null ? v.getImage() : TestWorld.RUNTIME_IMAGE);
      HorizontalPodAutoscaler hpa =
          ns.admin()
              .autoscaling()
              .v2()
              .horizontalPodAutoscalers()
              .inNamespace(ns.name())
              .withName(child)
              .get();
      assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(child);
      Integer window =
          v.getAutoscaling() == null
              ? null
              : v.getAutoscaling().getScaleDownStabilizationWindowSeconds();
      if (window != null) {
        assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
            .isEqualTo(window);
      }
      ConfigMap cm = ns.admin().configMaps().inNamespace(ns.name()).withName(child).get();
      assertThat(cm.getData().get(Names.RUNTIME_CONFIG_KEY)).contains("version: " + v.getName());
    }
    Service stable = ns.admin().services().inNamespace(ns.name()).withName(name).get();
    assertThat(stable.getSpec().getPorts().get(0).getPort()).isEqualTo(8080);
    assertThat(ready.getStatus().getUrl())
        .isEqualTo("http://" + name + "." + ns.name() + ".svc:8080");
    assertThat(ready.getStatus().getVersions()).hasSize(md.getSpec().getVersions().size());
    assertThat(ready.getStatus().getVersions())
        .filteredOn(v -> running.stream().anyMatch(r -> r.getName().equals(v.getName())))
        .hasSize(running.size())
        .allMatch(v -> v.getReadyReplicas() >= 1)
        .allMatch(v -> v.getWeight().equals(v.getDesiredWeight()));
  }

  /** Weight, mirror target or pinned for testing: the versions that keep pods. */
  private static boolean runs(ModelDeployment md, ModelVersion v) {
    var traffic = md.getSpec().getTraffic();
    boolean mirrored =
        traffic != null
            && traffic.getMirror() != null
            && v.getName().equals(traffic.getMirror().getVersion());
    return VersionDefaults.weight(md.getSpec(), v) > 0 || mirrored || v.pinned();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }
}
