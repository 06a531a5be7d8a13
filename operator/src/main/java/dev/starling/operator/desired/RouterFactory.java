package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.Router;
import dev.starling.api.v1alpha1.RouterAutoscaling;
import dev.starling.api.v1alpha1.Traffic;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.Map;
import java.util.Optional;

/**
 * The builtin-mode router of a ModelDeployment, all named {@code <md>-router}: its ConfigMap
 * (router.yaml), Deployment (the runtime image in {@code router} mode), HPA and PDB, sized by
 * {@code spec.traffic.router}; and the stable {@code <md>} Service, which selects the router's
 * pods.
 *
 * <p>The pod template carries no hash of router.yaml: the router re-reads the file, so a weight
 * edit is a ConfigMap update and never restarts a pod.
 */
public final class RouterFactory {

  public static final int MIN_REPLICAS = 1;
  public static final int MAX_REPLICAS = 5;
  public static final int CPU_TARGET = 70;

  /**
   * Seconds a router pod keeps serving after it is marked terminating, before SIGTERM: the router
   * pods sit behind the {@code <md>} ClusterIP Service, whose endpoint removal reaches kube-proxy
   * within a few seconds (the version pods' longer sleep follows DNS, see {@link
   * PodTemplateFactory#PRE_STOP_SLEEP_SECONDS}).
   */
  public static final long PRE_STOP_SLEEP_SECONDS = 5;

  /** preStop sleep + the router's 5 s drainDelay and 20 s shutdownGracePeriod + 5 s margin. */
  public static final long TERMINATION_GRACE_SECONDS = PRE_STOP_SLEEP_SECONDS + 5 + 20 + 5;

  /**
   * Startup probe failures allowed, 2 s apart: 180 s for the JVM to answer its first {@code
   * /v2/health/live}. Before that the router only reads its config and starts the JVM, Micrometer
   * and Jetty (no waiting on the versions: readiness waits for those), so what runs long is CPU: on
   * a node without spare CPU a 100m-request JVM start overran the earlier 60 s once (real node at
   * load ~35) and the kubelet restarted it, which only begins the same start again from zero. A
   * hang after the first answer is still caught by the liveness probe (3 x 10 s), and a rollout
   * keeps the old router pods serving (maxUnavailable 0) while a new one starts.
   */
  public static final int STARTUP_PROBE_FAILURES = 90;

  private RouterFactory() {}

  public static ConfigMap configMap(ModelDeployment md, String routerYaml) {
    return new ConfigMapBuilder()
        .withMetadata(metadata(md))
        .withData(Map.of(RouterConfigFactory.CONFIG_KEY, routerYaml))
        .build();
  }

  public static Deployment deployment(ModelDeployment md, String image) {
    return new DeploymentBuilder()
        .withMetadata(metadata(md))
        .withNewSpec()
        // like the versions: no replicas (the router's HPA owns them) unless suspended
        .withReplicas(md.getSpec().suspended() ? 0 : null)
        .withNewSelector()
        .withMatchLabels(Names.routerSelector(md))
        .endSelector()
        .withRevisionHistoryLimit(3)
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(0))
        .withMaxSurge(new IntOrString("25%"))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels(md))
        .withAnnotations(
            Map.of(
                "prometheus.io/scrape", "true",
                "prometheus.io/port", String.valueOf(Names.HTTP_PORT),
                "prometheus.io/path", "/metrics"))
        .endMetadata()
        .withNewSpec()
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
        .withSecurityContext(PodSecurity.pod())
        .addNewContainer()
        .withName("router")
        .withImage(image)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withArgs(
            "router",
            "--config",
            PodTemplateFactory.CONFIG_DIR + "/" + RouterConfigFactory.CONFIG_KEY)
        .addNewPort()
        .withName("http")
        .withContainerPort(Names.HTTP_PORT)
        .withProtocol("TCP")
        .endPort()
        .withResources(resources(md))
        .withStartupProbe(probe("/v2/health/live", 2, STARTUP_PROBE_FAILURES))
        .withLivenessProbe(probe("/v2/health/live", 10, 3))
        .withReadinessProbe(probe("/v2/health/ready", 5, 2))
        .withNewLifecycle()
        .withNewPreStop()
        .withNewSleep()
        .withSeconds(PRE_STOP_SLEEP_SECONDS)
        .endSleep()
        .endPreStop()
        .endLifecycle()
        .addNewVolumeMount()
        .withName("config")
        .withMountPath(PodTemplateFactory.CONFIG_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .withSecurityContext(PodSecurity.container())
        .endContainer()
        .addNewVolume()
        .withName("config")
        .withNewConfigMap()
        .withName(Names.router(md))
        .endConfigMap()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * {@code <md>}, the stable entry point: in builtin mode it selects the router's pods. It is the
   * router's only Service: each ClusterIP costs the API server a serialized address allocation (at
   * 1,000 ModelDeployments the allocator, not the operator, set the pace), so there is no second
   * {@code <md>-router} Service selecting the same pods.
   */
  public static Service stable(ModelDeployment md) {
    return ServiceFactory.service(
        md, md.getMetadata().getName(), Names.labels(md, "entrypoint"), Names.routerSelector(md));
  }

  public static HorizontalPodAutoscaler hpa(ModelDeployment md) {
    return new HorizontalPodAutoscalerBuilder()
        .withMetadata(metadata(md))
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName(Names.router(md))
        .endScaleTargetRef()
        .withMinReplicas(minReplicas(md))
        .withMaxReplicas(maxReplicas(md))
        .addNewMetric()
        .withType("Resource")
        .withNewResource()
        .withName("cpu")
        .withNewTarget()
        .withType("Utilization")
        .withAverageUtilization(cpuTarget(md))
        .endTarget()
        .endResource()
        .endMetric()
        .withBehavior(
            HpaFactory.behavior(
                autoscaling(md) == null
                    ? null
                    : autoscaling(md).getScaleDownStabilizationWindowSeconds()))
        .endSpec()
        .build();
  }

  /**
   * {@code <md>-router} (at most one router pod disrupted at a time), like a version's budget only
   * when the router keeps at least two replicas.
   */
  public static Optional<PodDisruptionBudget> pdb(ModelDeployment md) {
    if (minReplicas(md) < 2) {
      return Optional.empty();
    }
    return Optional.of(
        new PodDisruptionBudgetBuilder()
            .withMetadata(metadata(md))
            .withNewSpec()
            .withMaxUnavailable(new IntOrString(1))
            .withNewSelector()
            .withMatchLabels(Names.routerSelector(md))
            .endSelector()
            .endSpec()
            .build());
  }

  /** spec.traffic.router.autoscaling.minReplicas, default 1. */
  public static int minReplicas(ModelDeployment md) {
    RouterAutoscaling a = autoscaling(md);
    return a == null || a.getMinReplicas() == null ? MIN_REPLICAS : a.getMinReplicas();
  }

  /** maxReplicas, default 5 but never below minReplicas (min 8 alone means 8..8, not 8..5). */
  public static int maxReplicas(ModelDeployment md) {
    RouterAutoscaling a = autoscaling(md);
    int max = a == null || a.getMaxReplicas() == null ? MAX_REPLICAS : a.getMaxReplicas();
    return Math.max(minReplicas(md), max);
  }

  public static int cpuTarget(ModelDeployment md) {
    RouterAutoscaling a = autoscaling(md);
    return a == null || a.getTargetCPUUtilizationPercentage() == null
        ? CPU_TARGET
        : a.getTargetCPUUtilizationPercentage();
  }

  /** The user's resources, or requests of 100m CPU / 128Mi and a 512Mi memory limit. */
  static ResourceRequirements resources(ModelDeployment md) {
    Router r = router(md);
    if (r != null && r.getResources() != null) {
      return r.getResources();
    }
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("128Mi"))
        .addToLimits("memory", new Quantity("512Mi"))
        .build();
  }

  private static Router router(ModelDeployment md) {
    Traffic t = md.getSpec().getTraffic();
    return t == null ? null : t.getRouter();
  }

  private static RouterAutoscaling autoscaling(ModelDeployment md) {
    Router r = router(md);
    return r == null ? null : r.getAutoscaling();
  }

  /** Name, namespace and labels every router object shares. */
  private static ObjectMeta metadata(ModelDeployment md) {
    return new ObjectMetaBuilder()
        .withName(Names.router(md))
        .withNamespace(md.getMetadata().getNamespace())
        .withLabels(labels(md))
        .build();
  }

  private static Map<String, String> labels(ModelDeployment md) {
    return Names.labels(md, "router");
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
}
