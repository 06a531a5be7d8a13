package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.Auth;
import dev.starling.api.v1alpha1.CaBundleRef;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runtime pod of one version: an optional fetch init container, the serving container, probes
 * on the runtime's health endpoints, a drain before SIGTERM and a "restricted" security context.
 */
public final class PodTemplateFactory {

  public static final String CONFIG_DIR = "/etc/starling";

  /**
   * Where a version pod's runtime.yaml is mounted. The API keys and the drift profile are mounted
   * beside it, not inside it: a volume mounted inside a ConfigMap volume lives in a directory the
   * kubelet rewrites on every ConfigMap update.
   */
  public static final String RUNTIME_CONFIG_DIR = CONFIG_DIR + "/config";

  /**
   * The API-key Secret, mounted as a whole volume (never subPath, which the kubelet does not
   * update), so a rotated Secret reaches the running pods and the runtime re-reads it.
   */
  public static final String API_KEYS_DIR = CONFIG_DIR + "/api-keys";

  public static final String API_KEYS_FILE = API_KEYS_DIR + "/" + Auth.API_KEYS_SECRET_KEY;

  /** The reference-profile ConfigMap of drift monitoring, its key mapped to profile.json. */
  public static final String DRIFT_DIR = CONFIG_DIR + "/drift";

  public static final String DRIFT_PROFILE_FILE = DRIFT_DIR + "/profile.json";

  /**
   * The CA ConfigMap of an https:// model source (spec.versions[].model.caBundleRef), its key
   * mapped to ca.crt, mounted read-only into the fetch init container only.
   */
  public static final String MODEL_CA_DIR = CONFIG_DIR + "/model-ca";

  public static final String MODEL_CA_FILE = MODEL_CA_DIR + "/" + CaBundleRef.DEFAULT_KEY;

  /** Owner and group may read (the pod's fsGroup owns the files), nobody else. */
  static final int SECRET_FILE_MODE = 0440;

  /**
   * Seconds a version pod keeps serving after it is marked terminating, before SIGTERM: the router
   * finds a version's pods through its headless Service's DNS name, and a terminating pod leaves
   * that answer only after the EndpointSlice update reaches the cluster DNS (about a second),
   * answers already given expire (CoreDNS' kubernetes plugin answers with a 5 s TTL by default, and
   * a cache in front of it holds them no longer than that) and the router resolves again (its
   * {@code resolveInterval}, 1 s). Until then new requests still arrive, and the runtime's own
   * SIGTERM handling alone would refuse them. 5 + 1 + 1 s plus a margin; gateway-api mode's
   * kube-proxy and Gateway propagation fits in it too. A {@code sleep} preStop action needs no
   * shell in the image.
   */
  public static final long PRE_STOP_SLEEP_SECONDS = 10;

  /** preStop sleep + the runtime's 20 s shutdownGracePeriod + 10 s margin (40 s). */
  public static final long TERMINATION_GRACE_SECONDS = PRE_STOP_SLEEP_SECONDS + 20 + 10;

  private PodTemplateFactory() {}

  public static PodTemplateSpec create(ModelDeployment md, ModelVersion v, String defaultImage) {
    String image = v.getImage() != null ? v.getImage() : defaultImage;
    ModelLocation location = ModelLocation.parse(v.getModel().getUri());
    String configHash = RuntimeConfigFactory.restartHash(md, v);

    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("prometheus.io/scrape", "true");
    annotations.put("prometheus.io/port", String.valueOf(Names.HTTP_PORT));
    annotations.put("prometheus.io/path", "/metrics");
    annotations.put(Names.ANNOTATION_CONFIG_HASH, configHash);

    var spec =
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .withLabels(Names.versionLabels(md, v, "predictor"))
            .withAnnotations(annotations)
            .endMetadata()
            .withNewSpec()
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
            .withSecurityContext(PodSecurity.pod())
            .withContainers(runtime(md, v, image, location))
            .withVolumes(volumes(md, v, location));
    if (location.kind() == ModelLocation.Kind.HTTPS) {
      spec.withInitContainers(fetch(v, image, location));
    }
    return spec.endSpec().build();
  }

  private static Container runtime(
      ModelDeployment md, ModelVersion v, String image, ModelLocation location) {
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(mount("config", RUNTIME_CONFIG_DIR, true));
    mounts.add(mount("tmp", "/tmp", false));
    if (md.getSpec().getAuth() != null) {
      mounts.add(mount("api-keys", API_KEYS_DIR, true));
    }
    if (RuntimeSettings.drift(md.getSpec(), v).isPresent()) {
      mounts.add(mount("drift-profile", DRIFT_DIR, true));
    }
    switch (location.kind()) {
      case HTTPS -> mounts.add(mount("models", ModelLocation.MODELS_DIR, true));
      case PVC -> mounts.add(mount("models", ModelLocation.PVC_MOUNT, true));
      case FILE -> {}
    }
    List<EnvVar> env = v.getEnv() == null ? List.of() : v.getEnv();
    return new ContainerBuilder()
        .withName("runtime")
        .withImage(image)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withArgs("serve", "--config", RUNTIME_CONFIG_DIR + "/" + Names.RUNTIME_CONFIG_KEY)
        .addNewPort()
        .withName("http")
        .withContainerPort(Names.HTTP_PORT)
        .withProtocol("TCP")
        .endPort()
        .withEnv(env)
        .withResources(resources(v))
        .withStartupProbe(probe("/v2/health/live", 2, 150))
        .withLivenessProbe(probe("/v2/health/live", 10, 3))
        .withReadinessProbe(probe("/v2/health/ready", 5, 2))
        .withNewLifecycle()
        .withNewPreStop()
        .withNewSleep()
        .withSeconds(PRE_STOP_SLEEP_SECONDS)
        .endSleep()
        .endPreStop()
        .endLifecycle()
        .withVolumeMounts(mounts)
        .withSecurityContext(PodSecurity.container())
        .build();
  }

  private static Container fetch(ModelVersion v, String image, ModelLocation location) {
    List<String> args = new ArrayList<>(List.of("fetch", "--uri", location.uri()));
    VersionDefaults.sha256(v)
        .ifPresent(
            sha -> {
              args.add("--sha256");
              args.add(sha);
            });
    args.add("--output");
    args.add(ModelLocation.FETCHED_FILE);
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(mount("models", ModelLocation.MODELS_DIR, false));
    mounts.add(mount("tmp", "/tmp", false));
    if (modelCa(v).isPresent()) {
      args.add("--ca-file");
      args.add(MODEL_CA_FILE);
      mounts.add(mount("model-ca", MODEL_CA_DIR, true));
    }
    return new ContainerBuilder()
        .withName("fetch-model")
        .withImage(image)
        // the fetch's last log lines (e.g. a digest mismatch) become the status message
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withArgs(args)
        .withResources(
            new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("100m"))
                .addToRequests("memory", new Quantity("128Mi"))
                .addToLimits("memory", new Quantity("512Mi"))
                .build())
        .withVolumeMounts(mounts)
        .withSecurityContext(PodSecurity.container())
        .build();
  }

  /** The CA ConfigMap key a version's https:// download trusts, if it names one. */
  public static Optional<CaBundleRef> modelCa(ModelVersion v) {
    // the API server refuses caBundleRef beside any other scheme; checked here all the same
    if (v.getModel() == null
        || v.getModel().getUri() == null
        || !v.getModel().getUri().startsWith("https://")) {
      return Optional.empty();
    }
    return Optional.ofNullable(v.getModel().getCaBundleRef());
  }

  private static List<Volume> volumes(ModelDeployment md, ModelVersion v, ModelLocation location) {
    List<Volume> volumes = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName("config")
            .withNewConfigMap()
            .withName(Names.version(md, v))
            .endConfigMap()
            .build());
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    Auth auth = md.getSpec().getAuth();
    if (auth != null) {
      volumes.add(
          new VolumeBuilder()
              .withName("api-keys")
              .withNewSecret()
              .withSecretName(auth.getApiKeysSecretRef().getName())
              .addNewItem()
              .withKey(Auth.API_KEYS_SECRET_KEY)
              .withPath(Auth.API_KEYS_SECRET_KEY)
              .endItem()
              .withDefaultMode(SECRET_FILE_MODE)
              .endSecret()
              .build());
    }
    RuntimeSettings.drift(md.getSpec(), v)
        .ifPresent(
            d ->
                volumes.add(
                    new VolumeBuilder()
                        .withName("drift-profile")
                        .withNewConfigMap()
                        .withName(d.getReferenceProfile().getName())
                        .addNewItem()
                        .withKey(d.getReferenceProfile().keyOrDefault())
                        .withPath("profile.json")
                        .endItem()
                        .endConfigMap()
                        .build()));
    modelCa(v)
        .ifPresent(
            ca ->
                volumes.add(
                    new VolumeBuilder()
                        .withName("model-ca")
                        .withNewConfigMap()
                        .withName(ca.getName())
                        .addNewItem()
                        .withKey(ca.keyOrDefault())
                        .withPath(CaBundleRef.DEFAULT_KEY)
                        .endItem()
                        .endConfigMap()
                        .build()));
    switch (location.kind()) {
      case HTTPS ->
          volumes.add(
              new VolumeBuilder().withName("models").withNewEmptyDir().endEmptyDir().build());
      case PVC ->
          volumes.add(
              new VolumeBuilder()
                  .withName("models")
                  .withNewPersistentVolumeClaim()
                  .withClaimName(location.claim().orElseThrow())
                  .withReadOnly(true)
                  .endPersistentVolumeClaim()
                  .build());
      case FILE -> {}
    }
    return volumes;
  }

  /** The user's resources, or requests of 100m CPU / 256Mi and a 1Gi memory limit. */
  static ResourceRequirements resources(ModelVersion v) {
    if (v.getResources() != null) {
      return v.getResources();
    }
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("256Mi"))
        .addToLimits("memory", new Quantity("1Gi"))
        .build();
  }

  private static Probe probe(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withNewPort("http")
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        // false is left out: the API server drops it and a field that never comes back would make
        // every comparison see a difference
        .withReadOnly(readOnly ? Boolean.TRUE : null)
        .build();
  }
}
