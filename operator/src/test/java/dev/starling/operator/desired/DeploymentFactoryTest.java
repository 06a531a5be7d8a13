package dev.starling.operator.desired;

import static dev.starling.operator.TestingModelDeployments.fraud;
import static dev.starling.operator.TestingModelDeployments.iris;
import static dev.starling.operator.TestingModelDeployments.md;
import static dev.starling.operator.TestingModelDeployments.version;
import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.api.v1alpha1.CaBundleRef;
import dev.starling.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

class DeploymentFactoryTest {

  private static final String IMAGE = "starling/runtime:test";

  private static Deployment first(ModelDeployment md) {
    return DeploymentFactory.create(md, md.getSpec().getVersions().get(0), IMAGE);
  }

  private static Container runtime(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void leavesReplicasToTheHpaAndRollsWithoutUnavailablePods() {
    Deployment d = first(iris());
    assertThat(d.getSpec().getReplicas()).isNull();
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();
    assertThat(d.getMetadata().getName()).isEqualTo("iris-v1");
  }

  @Test
  void suspendScalesToZero() {
    var md = iris();
    md.getSpec().setSuspend(true);
    assertThat(first(md).getSpec().getReplicas()).isZero();
  }

  @Test
  void httpsModelsAreFetchedByTheRuntimeImageIntoAnEmptyDir() {
    Deployment d = first(iris());
    var pod = d.getSpec().getTemplate().getSpec();
    Container fetch = pod.getInitContainers().get(0);
    assertThat(fetch.getImage()).isEqualTo(IMAGE);
    assertThat(fetch.getArgs())
        .containsExactly(
            "fetch",
            "--uri",
            "https://models.example.com/iris/1/model.onnx",
            "--sha256",
            "0".repeat(64),
            "--output",
            "/models/model.onnx");
    assertThat(pod.getVolumes())
        .anyMatch(v -> v.getName().equals("models") && v.getEmptyDir() != null);
    assertThat(runtime(d).getArgs())
        .containsExactly("serve", "--config", "/etc/starling/config/runtime.yaml");
  }

  @Test
  void aModelCaConfigMapIsMountedReadOnlyIntoTheFetchAloneAndPassedAsCaFile() {
    var md = iris();
    md.getSpec()
        .getVersions()
        .get(0)
        .getModel()
        .setCaBundleRef(new CaBundleRef("models-ca", "root.pem"));
    var pod = first(md).getSpec().getTemplate().getSpec();
    Container fetch = pod.getInitContainers().get(0);

    assertThat(fetch.getArgs())
        .containsSubsequence("--ca-file", "/etc/starling/model-ca/ca.crt")
        .containsSubsequence("--output", "/models/model.onnx");
    assertThat(fetch.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo("model-ca");
              assertThat(m.getMountPath()).isEqualTo("/etc/starling/model-ca");
              assertThat(m.getReadOnly()).isTrue();
            });
    var volume = pod.getVolumes().stream().filter(v -> v.getName().equals("model-ca")).findFirst();
    assertThat(volume).isPresent();
    assertThat(volume.get().getConfigMap().getName()).isEqualTo("models-ca");
    assertThat(volume.get().getConfigMap().getItems())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getKey()).isEqualTo("root.pem");
              assertThat(i.getPath()).isEqualTo("ca.crt");
            });
    // the serving container never sees it
    assertThat(runtime(first(md)).getVolumeMounts()).noneMatch(m -> m.getName().equals("model-ca"));
    assertThat(MountedReferences.of(md))
        .contains(
            new MountedReferences.Reference(
                MountedReferences.Kind.CONFIG_MAP,
                "models-ca",
                "root.pem",
                "spec.versions[v1].model.caBundleRef"));
  }

  @Test
  void withoutACaTheFetchTrustsOnlyTheImagesDefaults() {
    var pod = first(iris()).getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers().get(0).getArgs()).doesNotContain("--ca-file");
    assertThat(pod.getVolumes()).noneMatch(v -> v.getName().equals("model-ca"));
    var md = iris();
    md.getSpec().getVersions().get(0).getModel().setCaBundleRef(new CaBundleRef("models-ca", null));
    assertThat(MountedReferences.of(md))
        .extracting(MountedReferences.Reference::key)
        .containsExactly("ca.crt");
  }

  @Test
  void fetchOmitsSha256WhenTheSpecHasNone() {
    var md = md("a", version("v1", "https://m.example.com/a.onnx", null));
    assertThat(first(md).getSpec().getTemplate().getSpec().getInitContainers().get(0).getArgs())
        .doesNotContain("--sha256");
  }

  @Test
  void pvcModelsAreMountedReadOnlyWithoutInitContainer() {
    var md = fraud();
    Deployment d = DeploymentFactory.create(md, md.getSpec().getVersions().get(1), IMAGE);
    var pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers()).isEmpty();
    assertThat(pod.getVolumes())
        .anyMatch(
            v ->
                v.getPersistentVolumeClaim() != null
                    && v.getPersistentVolumeClaim().getClaimName().equals("models")
                    && v.getPersistentVolumeClaim().getReadOnly());
    assertThat(runtime(d).getVolumeMounts())
        .anyMatch(
            m -> m.getMountPath().equals("/models/pvc") && Boolean.TRUE.equals(m.getReadOnly()));
  }

  @Test
  void fileModelsNeedNoVolume() {
    var md = md("a", version("v1", "file:///opt/models/a.onnx", null));
    var pod = first(md).getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers()).isEmpty();
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("config", "tmp");
  }

  @Test
  void podPassesRestrictedPodSecurity() {
    var pod = first(iris()).getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    for (Container c : pod.getInitContainers()) {
      assertRestricted(c);
    }
    for (Container c : pod.getContainers()) {
      assertRestricted(c);
    }
  }

  private static void assertRestricted(Container c) {
    var sc = c.getSecurityContext();
    assertThat(sc.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
    assertThat(sc.getRunAsNonRoot()).as(c.getName()).isTrue();
    assertThat(sc.getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
    assertThat(c.getVolumeMounts()).as(c.getName()).anyMatch(m -> m.getMountPath().equals("/tmp"));
  }

  @Test
  void probesDrainAndGracePeriodMatchTheRuntime() {
    var pod = first(iris()).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
    // a terminating pod leaves the headless Service's DNS answer after the EndpointSlice update,
    // CoreDNS' 5 s TTL and the router's 1 s re-resolve: the sleep covers that
    assertThat(c.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(10L);
    // preStop sleep + runtime shutdownGracePeriod (20s) must fit in the grace period
    assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(10L + 20L);
    assertThat(c.getPorts().get(0).getName()).isEqualTo("http");
  }

  @Test
  void labelsAreOursNeverTheCustomResourceTrackingLabels() {
    Deployment d = first(iris());
    var podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(d.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "starling-operator")
        .containsEntry("app.kubernetes.io/part-of", "iris")
        .doesNotContainKeys("app.kubernetes.io/instance", "argocd.argoproj.io/instance");
    assertThat(podLabels).doesNotContainKeys("app.kubernetes.io/instance");
    assertThat(d.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(podLabels).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "8080");
  }

  @Test
  void perVersionImageWinsOverTheDefault() {
    var md = iris();
    md.getSpec().getVersions().get(0).setImage("registry.example.com/runtime:custom");
    assertThat(runtime(first(md)).getImage()).isEqualTo("registry.example.com/runtime:custom");
  }

  @Test
  void changingOneVersionChangesOnlyItsTemplate() {
    var before = fraud();
    var after = fraud();
    after
        .getSpec()
        .getVersions()
        .get(0)
        .getModel()
        .setUri("https://models.example.com/fraud/3.onnx");
    for (int i = 0; i < 2; i++) {
      var b = DeploymentFactory.create(before, before.getSpec().getVersions().get(i), IMAGE);
      var a = DeploymentFactory.create(after, after.getSpec().getVersions().get(i), IMAGE);
      if (i == 0) {
        assertThat(a.getSpec().getTemplate()).isNotEqualTo(b.getSpec().getTemplate());
      } else {
        assertThat(a).isEqualTo(b);
      }
    }
  }
}
