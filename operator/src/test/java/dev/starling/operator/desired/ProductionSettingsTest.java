package dev.starling.operator.desired;

import static dev.starling.operator.TestingModelDeployments.iris;
import static dev.starling.operator.TestingModelDeployments.md;
import static dev.starling.operator.TestingModelDeployments.sample;
import static dev.starling.operator.TestingModelDeployments.version;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.starling.api.v1alpha1.Auth;
import dev.starling.api.v1alpha1.Batching;
import dev.starling.api.v1alpha1.ConfigMapKeyRef;
import dev.starling.api.v1alpha1.Drift;
import dev.starling.api.v1alpha1.Feature;
import dev.starling.api.v1alpha1.Feedback;
import dev.starling.api.v1alpha1.Inference;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.api.v1alpha1.PredictionCache;
import dev.starling.api.v1alpha1.RateLimit;
import dev.starling.api.v1alpha1.SecretRef;
import dev.starling.api.v1alpha1.Signature;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Batching, cache, overload, API keys, rate limits and drift: rendering, mounts and rolling. */
class ProductionSettingsTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String IMAGE = "starling/runtime:test";

  private static JsonNode rendered(ModelDeployment md, int version) throws Exception {
    return YAML.readTree(RuntimeConfigFactory.render(md, md.getSpec().getVersions().get(version)));
  }

  private static PodTemplateSpec pod(ModelDeployment md, int version) {
    return PodTemplateFactory.create(md, md.getSpec().getVersions().get(version), IMAGE);
  }

  private static Volume volume(PodTemplateSpec pod, String name) {
    return pod.getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static VolumeMount mountOf(PodTemplateSpec pod, String name) {
    Container runtime = pod.getSpec().getContainers().get(0);
    return runtime.getVolumeMounts().stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void versionFieldsOverrideSpecFieldsOneByOne() throws Exception {
    JsonNode v2 = rendered(sample("fraud-production.yaml"), 1);
    assertThat(v2.at("/models/0/batching/maxBatchSize").asInt()).isEqualTo(8);
    assertThat(v2.at("/models/0/batching/maxDelay").asText()).isEqualTo("2ms");
    assertThat(v2.at("/models/0/cache/maxEntries").asInt()).isEqualTo(10000);
    assertThat(v2.at("/drift/window").asInt()).isEqualTo(2000);
    assertThat(v2.at("/inference/maxInflight").asInt()).isEqualTo(256);
  }

  @Test
  void nicenessReachesRuntimeYamlAndAVersionOverridesIt() throws Exception {
    var md = sample("fraud-production.yaml"); // spec.inference: {maxInflight: 256, niceness: 4}
    assertThat(rendered(md, 0).at("/inference").toString())
        .isEqualTo("{\"intraOpThreads\":1,\"maxInflight\":256,\"niceness\":4}");
    md.getSpec().getVersions().get(1).setInference(new Inference(null, 0));
    assertThat(rendered(md, 1).at("/inference").toString())
        .isEqualTo("{\"intraOpThreads\":1,\"maxInflight\":256,\"niceness\":0}");
    md.getSpec().getInference().setNiceness(null);
    assertThat(rendered(md, 0).at("/inference").has("niceness")).isFalse();
    md.getSpec().getVersions().get(0).setInference(new Inference(null, 19));
    assertThat(rendered(md, 0).at("/inference/niceness").asInt()).isEqualTo(19);
  }

  @Test
  void inflightLimitReachesRuntimeYamlAndAVersionOverridesIt() throws Exception {
    var md = sample("fraud-production.yaml");
    md.getSpec().getInference().setInflightLimit("adaptive");
    assertThat(rendered(md, 0).at("/inference/inflightLimit").asText()).isEqualTo("adaptive");
    Inference own = new Inference();
    own.setInflightLimit("fixed");
    md.getSpec().getVersions().get(1).setInference(own);
    assertThat(rendered(md, 1).at("/inference/inflightLimit").asText()).isEqualTo("fixed");
    md.getSpec().getInference().setInflightLimit(null);
    assertThat(rendered(md, 0).at("/inference").has("inflightLimit")).isFalse();
  }

  @Test
  void unsetSettingsAreLeftToTheRuntimesDefaults() throws Exception {
    var md = iris();
    md.getSpec().setBatching(new Batching(16, null));
    md.getSpec().setCache(new PredictionCache(null, "1h"));
    md.getSpec().setRateLimit(new RateLimit(2.5, null));
    JsonNode r = rendered(md, 0);
    assertThat(r.at("/models/0/batching").toString()).isEqualTo("{\"maxBatchSize\":16}");
    assertThat(r.at("/models/0/cache").toString()).isEqualTo("{\"ttl\":\"1h\"}");
    assertThat(r.at("/rateLimit").toString()).isEqualTo("{\"requestsPerSecond\":2.5}");
    assertThat(r.has("auth")).isFalse();
    assertThat(r.has("drift")).isFalse();
    assertThat(r.at("/inference").toString()).isEqualTo("{\"intraOpThreads\":1}");
  }

  @Test
  void driftWithoutAReferenceProfileStaysOff() throws Exception {
    var md = iris();
    md.getSpec().setDrift(new Drift(null, 500));
    assertThat(rendered(md, 0).has("drift")).isFalse();
    assertThat(pod(md, 0).getSpec().getVolumes())
        .noneMatch(v -> v.getName().equals("drift-profile"));
  }

  @Test
  void feedbackIsRenderedWhenOnAndAVersionOverridesItFieldByField() throws Exception {
    var md = sample("fraud-production.yaml");
    // v2 keeps the spec's switch and ttl, sets its own window
    md.getSpec().getVersions().get(1).getDrift().setFeedback(new Feedback(null, null, null, 50));
    assertThat(rendered(md, 0).at("/drift/feedback").toString())
        .isEqualTo("{\"enabled\":true,\"ttl\":\"30m\"}");
    assertThat(rendered(md, 1).at("/drift/feedback").toString())
        .isEqualTo("{\"enabled\":true,\"ttl\":\"30m\",\"window\":50}");
    // a version can turn it off
    md.getSpec().getVersions().get(1).getDrift().setFeedback(new Feedback(false, null, null, null));
    assertThat(rendered(md, 1).at("/drift").has("feedback")).isFalse();
    assertThat(rendered(md, 1).at("/drift/reference").asText()).endsWith("profile.json");
  }

  @Test
  void feedbackWorksWithoutAReferenceProfileAndIsOffUnlessEnabled() throws Exception {
    var md = iris();
    md.getSpec().setDrift(new Drift(null, null, new Feedback(true, 5000, null, null)));
    assertThat(rendered(md, 0).at("/drift").toString())
        .isEqualTo("{\"feedback\":{\"enabled\":true,\"maxEntries\":5000}}");
    assertThat(pod(md, 0).getSpec().getVolumes())
        .noneMatch(v -> v.getName().equals("drift-profile"));
    md.getSpec().setDrift(new Drift(null, null, new Feedback(null, 5000, "1m", 10)));
    assertThat(rendered(md, 0).has("drift")).isFalse();
  }

  @Test
  void apiKeySecretIsMountedAsAWholeVolumeWhereTheConfigPoints() throws Exception {
    var md = sample("fraud-production.yaml");
    PodTemplateSpec pod = pod(md, 0);
    Volume keys = volume(pod, "api-keys");
    assertThat(keys.getSecret().getSecretName()).isEqualTo("fraud-api-keys");
    assertThat(keys.getSecret().getItems())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getKey()).isEqualTo(Auth.API_KEYS_SECRET_KEY);
              assertThat(i.getPath()).isEqualTo("api-keys");
            });
    assertThat(keys.getSecret().getDefaultMode()).isEqualTo(0440);
    VolumeMount m = mountOf(pod, "api-keys");
    // subPath mounts are never updated by the kubelet: a rotated key would not reach the pod
    assertThat(m.getSubPath()).isNull();
    assertThat(m.getReadOnly()).isTrue();
    assertThat(rendered(md, 0).at("/auth/apiKeysFile").asText())
        .isEqualTo(m.getMountPath() + "/" + keys.getSecret().getItems().get(0).getPath());
  }

  @Test
  void driftProfileConfigMapKeyIsMountedAsProfileJson() throws Exception {
    var md = sample("fraud-production.yaml");
    md.getSpec()
        .getVersions()
        .get(1)
        .setDrift(new Drift(new ConfigMapKeyRef("fraud-v2-profile", "v2.json"), null));
    PodTemplateSpec v1 = pod(md, 0);
    PodTemplateSpec v2 = pod(md, 1);
    assertThat(volume(v1, "drift-profile").getConfigMap().getName())
        .isEqualTo("fraud-reference-profile");
    assertThat(volume(v1, "drift-profile").getConfigMap().getItems().get(0).getKey())
        .isEqualTo("profile.json");
    assertThat(volume(v2, "drift-profile").getConfigMap().getName()).isEqualTo("fraud-v2-profile");
    assertThat(volume(v2, "drift-profile").getConfigMap().getItems().get(0).getKey())
        .isEqualTo("v2.json");
    VolumeMount m = mountOf(v2, "drift-profile");
    assertThat(m.getSubPath()).isNull();
    assertThat(rendered(md, 1).at("/drift/reference").asText())
        .isEqualTo(
            m.getMountPath()
                + "/"
                + volume(v2, "drift-profile").getConfigMap().getItems().get(0).getPath());
  }

  @Test
  void mountsSitBesideTheConfigVolumeNotInsideIt() {
    PodTemplateSpec pod = pod(sample("fraud-production.yaml"), 0);
    String config = mountOf(pod, "config").getMountPath();
    for (VolumeMount m : pod.getSpec().getContainers().get(0).getVolumeMounts()) {
      if (!m.getName().equals("config")) {
        assertThat(m.getMountPath()).as(m.getName()).doesNotStartWith(config + "/");
      }
    }
    assertThat(pod.getSpec().getContainers().get(0).getArgs())
        .containsExactly("serve", "--config", config + "/runtime.yaml");
  }

  @Test
  void settingsTheRuntimeReadsOnlyAtStartRollThePods() {
    var base = sample("fraud-production.yaml");
    rollsWhen(base, md -> md.getSpec().getAuth().setApiKeysSecretRef(new SecretRef("other")));
    rollsWhen(base, md -> md.getSpec().setAuth(null));
    rollsWhen(base, md -> md.getSpec().getDrift().setWindow(100));
    // the runtime installs the feedback endpoint at start
    rollsWhen(base, md -> md.getSpec().getDrift().setFeedback(null));
    rollsWhen(base, md -> md.getSpec().getDrift().getFeedback().setWindow(10));
    // the runtime starts its inference threads at start
    rollsWhen(base, md -> md.getSpec().getInference().setNiceness(10));
    rollsWhen(base, md -> md.getSpec().getVersions().get(0).setInference(new Inference(null, 0)));
  }

  @Test
  void settingsTheRuntimeReappliesOnReloadChangeOnlyTheConfigMap() {
    var base = sample("fraud-production.yaml");
    staysWhen(base, md -> md.getSpec().getVersions().get(0).setCache(new PredictionCache(1, null)));
    staysWhen(base, md -> md.getSpec().getCache().setTtl("1m"));
    staysWhen(base, md -> md.getSpec().setCache(null));
    staysWhen(base, md -> md.getSpec().getInference().setMaxInflight(64));
    // the runtime reads it per request
    staysWhen(base, md -> md.getSpec().getInference().setInflightLimit("adaptive"));
    staysWhen(base, md -> md.getSpec().getRateLimit().setBurst(1000));
    staysWhen(base, md -> md.getSpec().getRateLimit().setRequestsPerSecond(7.5));
    staysWhen(base, md -> md.getSpec().setRateLimit(null));
    staysWhen(base, md -> md.getSpec().getAuth().setProtectMetrics(true));
    staysWhen(base, md -> md.getSpec().getAuth().setReloadInterval("5s"));
    staysWhen(base, md -> md.getSpec().getRateLimit().setMaxClients(5000));
    // the runtime swaps the model in place on a new signature, as on a new model file
    staysWhen(base, md -> md.getSpec().getSignature().setTopK(1));
    staysWhen(base, md -> md.getSpec().setSignature(null));
  }

  @Test
  void aVersionsSignatureReplacesTheSpecsWholeNotFieldByField() throws Exception {
    var md = sample("fraud-production.yaml");
    JsonNode inherited = rendered(md, 1);
    assertThat(inherited.at("/models/0/signature/features")).hasSize(5);
    assertThat(inherited.at("/models/0/signature/labels/1").asText()).isEqualTo("fraud");

    Feature score = new Feature("score", null);
    score.setDefaultValue("0.5");
    md.getSpec()
        .getVersions()
        .get(1)
        .setSignature(new Signature(null, List.of(score), null, null, null));
    JsonNode own = rendered(md, 1).at("/models/0/signature");
    assertThat(own.at("/features")).hasSize(1);
    assertThat(own.at("/features/0/default").asDouble()).isEqualTo(0.5);
    // nothing of the spec's signature leaks in: no input, output, labels or topK
    assertThat(own.fieldNames()).toIterable().containsExactly("features");
    assertThat(rendered(md, 0).at("/models/0/signature/features")).hasSize(5); // v1 unchanged
  }

  @Test
  void featureDefaultsKeepTheirJsonType() throws Exception {
    JsonNode features =
        rendered(sample("fraud-production.yaml"), 0).at("/models/0/signature/features");
    assertThat(features.at("/1/default").isInt()).isTrue(); // age: 35
    assertThat(features.at("/4/default").isBoolean()).isTrue(); // foreign_ip: false
    assertThat(features.at("/0/min").isIntegralNumber()).isTrue(); // 0, as a person writes it
    assertThat(features.at("/3/values")).hasSize(6);
  }

  @Test
  void keyReloadIntervalAndMaxClientsAreRenderedWhenSet() {
    var md = sample("fraud-production.yaml");
    ModelVersion v = md.getSpec().getVersions().get(0);
    md.getSpec().getAuth().setReloadInterval(null);
    md.getSpec().getRateLimit().setMaxClients(null);
    assertThat(RuntimeConfigFactory.render(md, v))
        .doesNotContain("reloadInterval")
        .doesNotContain("maxClients");
    md.getSpec().getAuth().setReloadInterval("5s");
    md.getSpec().getRateLimit().setMaxClients(5000);
    assertThat(RuntimeConfigFactory.render(md, v))
        .contains("  reloadInterval: 5s\n")
        .contains("  maxClients: 5000\n");
  }

  /** The rendered runtime.yaml changes, the pod template does not. */
  private static void staysWhen(ModelDeployment base, Consumer<ModelDeployment> change) {
    ModelDeployment changed = sample("fraud-production.yaml");
    change.accept(changed);
    ModelVersion v = changed.getSpec().getVersions().get(0);
    assertThat(RuntimeConfigFactory.render(changed, v))
        .isNotEqualTo(RuntimeConfigFactory.render(base, base.getSpec().getVersions().get(0)));
    assertThat(pod(changed, 0)).isEqualTo(pod(base, 0));
  }

  @Test
  void batchingChangesReachTheRunningPodsThroughTheConfigMapOnly() {
    var base = sample("fraud-production.yaml");
    var changed = sample("fraud-production.yaml");
    changed.getSpec().getBatching().setMaxDelay("5ms");
    changed.getSpec().getVersions().get(0).setBatching(new Batching(64, null));
    var v = changed.getSpec().getVersions().get(0);
    assertThat(RuntimeConfigFactory.render(changed, v))
        .isNotEqualTo(RuntimeConfigFactory.render(base, base.getSpec().getVersions().get(0)))
        .contains("maxBatchSize: 64")
        .contains("maxDelay: 5ms");
    assertThat(pod(changed, 0)).isEqualTo(pod(base, 0));
  }

  @Test
  void aNewModelFileOnTheSameVolumeIsSwappedInPlaceWithoutRolling() {
    var before = md("a", version("v1", "pvc://models/a/1.onnx", null));
    var after = md("a", version("v1", "pvc://models/a/2.onnx", null));
    ModelVersion b = before.getSpec().getVersions().get(0);
    ModelVersion a = after.getSpec().getVersions().get(0);
    assertThat(RuntimeConfigFactory.render(after, a))
        .isNotEqualTo(RuntimeConfigFactory.render(before, b));
    assertThat(PodTemplateFactory.create(after, a, IMAGE))
        .isEqualTo(PodTemplateFactory.create(before, b, IMAGE));
  }

  @Test
  void anHttpsModelStillRollsThroughTheFetchInitContainer() {
    var before = iris();
    var after = iris();
    after.getSpec().getVersions().get(0).getModel().setSha256("b".repeat(64));
    assertThat(pod(after, 0)).isNotEqualTo(pod(before, 0));
  }

  private static void rollsWhen(ModelDeployment base, Consumer<ModelDeployment> change) {
    ModelDeployment changed = sample("fraud-production.yaml");
    change.accept(changed);
    assertThat(pod(changed, 0)).isNotEqualTo(pod(base, 0));
  }

  @Test
  void mountedReferencesAreListedOnceWithTheFieldNamingThem() {
    var md = sample("fraud-production.yaml");
    assertThat(MountedReferences.of(md))
        .containsExactly(
            new MountedReferences.Reference(
                MountedReferences.Kind.SECRET,
                "fraud-api-keys",
                "api-keys",
                "spec.auth.apiKeysSecretRef"),
            new MountedReferences.Reference(
                MountedReferences.Kind.CONFIG_MAP,
                "fraud-reference-profile",
                "profile.json",
                "spec.drift.referenceProfile"));
    md.getSpec()
        .getVersions()
        .get(1)
        .setDrift(new Drift(new ConfigMapKeyRef("fraud-v2-profile", null), null));
    assertThat(MountedReferences.of(md))
        .extracting(MountedReferences.Reference::field)
        .containsExactly(
            "spec.auth.apiKeysSecretRef",
            "spec.drift.referenceProfile",
            "spec.versions[v2].drift.referenceProfile");
  }
}
