package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.starling.api.v1alpha1.Auth;
import dev.starling.api.v1alpha1.Batching;
import dev.starling.api.v1alpha1.CaBundleRef;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.SecretRef;
import dev.starling.operator.desired.Names;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Batching, cache, API keys, rate limits and drift declared on a ModelDeployment, against the real
 * API server: what lands in the ConfigMap and pod template, what rolls the pods and what does not,
 * and what a user sees when the Secret is missing.
 */
@ExtendWith(TestWorldExtension.class)
class ProductionSettingsIT {

  private static final Duration READY = Duration.ofSeconds(90);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void productionSampleRendersTheContractAndMountsSecretAndProfileAsWholeVolumes(TestNamespace ns)
      throws Exception {
    ns.samplePrerequisites();
    ns.create(ns.sample("fraud-production.yaml"));
    ns.awaitReady("fraud-prod", READY);

    // the rendered runtime.yaml is the contract file the runtime's own ConfigLoader and validator
    // are tested on (runtime RuntimeConfigContractTest)
    String rendered =
        ns.admin()
            .configMaps()
            .inNamespace(ns.name())
            .withName("fraud-prod-v1")
            .get()
            .getData()
            .get("runtime.yaml");
    String contract =
        Files.readString(
            TestWorld.get().repo().resolve("contract/runtime/operator-production.yaml"));
    assertThat(YAML.readTree(rendered)).isEqualTo(YAML.readTree(contract));

    var pod = deployment(ns, "fraud-prod-v1").getSpec().getTemplate().getSpec();
    Volume keys = volume(pod.getVolumes(), "api-keys");
    assertThat(keys.getSecret().getSecretName()).isEqualTo("fraud-api-keys");
    assertThat(keys.getSecret().getItems().get(0).getKey()).isEqualTo(Auth.API_KEYS_SECRET_KEY);
    Volume profile = volume(pod.getVolumes(), "drift-profile");
    assertThat(profile.getConfigMap().getName()).isEqualTo("fraud-reference-profile");
    List<VolumeMount> mounts = pod.getContainers().get(0).getVolumeMounts();
    assertThat(mount(mounts, "api-keys").getMountPath()).isEqualTo("/etc/starling/api-keys");
    assertThat(mount(mounts, "api-keys").getSubPath()).isNull();
    assertThat(mount(mounts, "drift-profile").getMountPath()).isEqualTo("/etc/starling/drift");
    assertThat(mount(mounts, "drift-profile").getSubPath()).isNull();
  }

  @Test
  void rotatedKeysAndLiveSettingsDoNotRollThePodsButADriftChangeDoes(TestNamespace ns) {
    ns.samplePrerequisites();
    ns.create(ns.sample("fraud-production.yaml"));
    ns.awaitReady("fraud-prod", READY);
    long generation = deployment(ns, "fraud-prod-v1").getMetadata().getGeneration();

    ns.admin()
        .secrets()
        .inNamespace(ns.name())
        .withName("fraud-api-keys")
        .edit(
            s -> {
              s.setData(null);
              s.setStringData(Map.of("api-keys", "rotated:a-brand-new-key-0123456789\n"));
              return s;
            });
    // give the operator time to react if it would (it must not): pod events, resync, recheck
    ns.edit(
        "fraud-prod",
        md -> {
          md.getMetadata().setAnnotations(Map.of("touched", "yes"));
          return md;
        });
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> deployment(ns, "fraud-prod-v1").getMetadata().getGeneration() == generation);

    // batching: the runtime applies it from the reloaded ConfigMap, so only the ConfigMap changes
    ns.edit(
        "fraud-prod",
        md -> {
          md.getSpec().setBatching(new Batching(64, "1ms"));
          return md;
        });
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(config(ns, "fraud-prod-v1"))
                    .contains("maxBatchSize: 64")
                    .contains("maxDelay: 1ms"));
    assertThat(deployment(ns, "fraud-prod-v1").getMetadata().getGeneration()).isEqualTo(generation);

    // cache, rate limit and in-flight bound: the runtime re-applies them from the reloaded
    // ConfigMap too, so the pod template (and its config hash) stays as it was
    String hash = configHash(ns, "fraud-prod-v1");
    ns.edit(
        "fraud-prod",
        md -> {
          md.getSpec().getCache().setMaxEntries(500);
          md.getSpec().getRateLimit().setBurst(77);
          md.getSpec().getInference().setMaxInflight(33);
          return md;
        });
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(config(ns, "fraud-prod-v1"))
                    .contains("maxEntries: 500")
                    .contains("burst: 77")
                    .contains("maxInflight: 33"));
    assertThat(deployment(ns, "fraud-prod-v1").getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(configHash(ns, "fraud-prod-v1")).isEqualTo(hash);

    // drift settings are read at start: their change rolls the pods
    ns.edit(
        "fraud-prod",
        md -> {
          md.getSpec().getDrift().setWindow(250);
          return md;
        });
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(deployment(ns, "fraud-prod-v1").getMetadata().getGeneration())
                  .isGreaterThan(generation);
              assertThat(configHash(ns, "fraud-prod-v1")).isNotEqualTo(hash);
            });
    ns.awaitReady("fraud-prod", READY);
  }

  private static String configHash(TestNamespace ns, String deployment) {
    return deployment(ns, deployment)
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(Names.ANNOTATION_CONFIG_HASH);
  }

  @Test
  void missingSecretGivesAConditionAndAnEventNamingItUntilItExists(TestNamespace ns) {
    ModelDeployment md = ns.sample("iris.yaml");
    md.getSpec().setAuth(new Auth(new SecretRef("iris-keys"), null));
    ns.create(md);

    Condition degraded = awaitDegraded(ns, "iris", "SecretNotFound");
    assertThat(degraded.getMessage())
        .contains("Secret 'iris-keys'")
        .contains("spec.auth.apiKeysSecretRef")
        .contains(ns.name());
    assertThat(condition(ns.get("iris"), "Ready").getStatus()).isEqualTo("False");
    awaitWarning(ns, "iris", "SecretNotFound", "iris-keys");

    // a Secret without the expected key is named as such
    ns.admin()
        .secrets()
        .inNamespace(ns.name())
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("iris-keys")
                .endMetadata()
                .withStringData(Map.of("keys.txt", "a:0123456789abcdef0123\n"))
                .build())
        .create();
    assertThat(awaitDegraded(ns, "iris", "SecretKeyNotFound").getMessage())
        .contains("no key 'api-keys'");

    // once it is right the ModelDeployment turns Ready without any edit of its own
    ns.admin()
        .secrets()
        .inNamespace(ns.name())
        .withName("iris-keys")
        .edit(
            s -> {
              s.setData(null);
              s.setStringData(Map.of("api-keys", "a:0123456789abcdef0123\n"));
              return s;
            });
    ns.awaitReady("iris", READY);
    assertThat(condition(ns.get("iris"), "Degraded").getStatus()).isEqualTo("False");
  }

  @Test
  void missingDriftProfileConfigMapIsNamedWithItsField(TestNamespace ns) {
    ModelDeployment md = ns.sample("iris.yaml");
    md.getSpec()
        .getVersions()
        .get(0)
        .setDrift(
            new dev.starling.api.v1alpha1.Drift(
                new dev.starling.api.v1alpha1.ConfigMapKeyRef("iris-profile", null), null));
    ns.create(md);
    assertThat(awaitDegraded(ns, "iris", "ConfigMapNotFound").getMessage())
        .contains("ConfigMap 'iris-profile'")
        .contains("spec.versions[v1].drift.referenceProfile");
  }

  @Test
  void missingModelCaConfigMapGivesAConditionAndAnEventUntilItHoldsTheKey(TestNamespace ns) {
    ModelDeployment md = ns.sample("iris.yaml"); // an https:// model
    md.getSpec().getVersions().get(0).getModel().setCaBundleRef(new CaBundleRef("models-ca", null));
    ns.create(md);

    Condition degraded = awaitDegraded(ns, "iris", "ConfigMapNotFound");
    assertThat(degraded.getMessage())
        .contains("ConfigMap 'models-ca'")
        .contains("spec.versions[v1].model.caBundleRef")
        .contains(ns.name());
    assertThat(condition(ns.get("iris"), "Ready").getStatus()).isEqualTo("False");
    awaitWarning(ns, "iris", "ConfigMapNotFound", "models-ca", "model.caBundleRef");
    // the init container gets it read-only, under the key the runtime's --ca-file reads
    var pod = deployment(ns, "iris-v1").getSpec().getTemplate().getSpec();
    assertThat(volume(pod.getVolumes(), "model-ca").getConfigMap().getName())
        .isEqualTo("models-ca");
    assertThat(pod.getInitContainers().get(0).getArgs())
        .containsSubsequence("--ca-file", "/etc/starling/model-ca/ca.crt");

    // a ConfigMap with the CA under another key is named as such
    ns.admin()
        .configMaps()
        .inNamespace(ns.name())
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("models-ca")
                .endMetadata()
                .withData(Map.of("root.pem", "-----BEGIN CERTIFICATE-----\n"))
                .build())
        .create();
    assertThat(awaitDegraded(ns, "iris", "ConfigMapKeyNotFound").getMessage())
        .contains("no key 'ca.crt'");

    // once the key is there the ModelDeployment turns Ready without an edit of its own
    ns.admin()
        .configMaps()
        .inNamespace(ns.name())
        .withName("models-ca")
        .edit(
            c -> {
              c.setData(Map.of("ca.crt", "-----BEGIN CERTIFICATE-----\n"));
              return c;
            });
    ns.awaitReady("iris", READY);
    assertThat(condition(ns.get("iris"), "Degraded").getStatus()).isEqualTo("False");
  }

  private static Condition awaitDegraded(TestNamespace ns, String md, String reason) {
    await()
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              ModelDeployment current = ns.get(md);
              if (current.getStatus() == null) {
                return false;
              }
              Condition c = condition(current, "Degraded");
              return c != null && "True".equals(c.getStatus()) && reason.equals(c.getReason());
            });
    return condition(ns.get(md), "Degraded");
  }

  private static Condition condition(ModelDeployment md, String type) {
    return md.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElse(null);
  }

  /** Waits for a Warning Event on the ModelDeployment with that reason and message parts. */
  private static void awaitWarning(TestNamespace ns, String md, String reason, String... parts) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(events(ns, md))
                    .anyMatch(
                        e ->
                            e.getReason().equals(reason)
                                && e.getType().equals("Warning")
                                && Stream.of(parts).allMatch(e.getMessage()::contains)));
  }

  private static List<Event> events(TestNamespace ns, String md) {
    return ns.admin().v1().events().inNamespace(ns.name()).list().getItems().stream()
        .filter(e -> md.equals(e.getInvolvedObject().getName()))
        .filter(e -> "ModelDeployment".equals(e.getInvolvedObject().getKind()))
        .toList();
  }

  private static Deployment deployment(TestNamespace ns, String name) {
    return ns.admin().apps().deployments().inNamespace(ns.name()).withName(name).get();
  }

  private static String config(TestNamespace ns, String name) {
    return ns.admin()
        .configMaps()
        .inNamespace(ns.name())
        .withName(name)
        .get()
        .getData()
        .get("runtime.yaml");
  }

  private static Volume volume(List<Volume> volumes, String name) {
    return volumes.stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
  }

  private static VolumeMount mount(List<VolumeMount> mounts, String name) {
    return mounts.stream().filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
  }
}
