package dev.starling.operator;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelDeploymentStatus;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.operator.cache.CompactItemStore;
import dev.starling.operator.cache.PruningItemStore;
import dev.starling.operator.dependent.ConfigMapDependent;
import dev.starling.operator.dependent.DeploymentDependent;
import dev.starling.operator.dependent.GatewayApi;
import dev.starling.operator.dependent.GatewayApiInstalledCondition;
import dev.starling.operator.dependent.GatewayApiModeCondition;
import dev.starling.operator.dependent.HpaDependent;
import dev.starling.operator.dependent.HttpRouteDependent;
import dev.starling.operator.dependent.PdbDependent;
import dev.starling.operator.dependent.Plans;
import dev.starling.operator.dependent.ServiceDependent;
import dev.starling.operator.desired.Names;
import dev.starling.operator.status.ChildRefusal;
import dev.starling.operator.status.Conditions;
import dev.starling.operator.status.PodProblem;
import dev.starling.operator.status.StatusAggregator;
import dev.starling.operator.status.VersionObservation;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reconciles a ModelDeployment: the workflow applies every child (server-side apply, one field
 * manager, no write when nothing changed), then the status is rebuilt from what the children report
 * and patched only when it differs.
 */
@Workflow(
    dependents = {
      @Dependent(type = ConfigMapDependent.class),
      @Dependent(type = DeploymentDependent.class),
      @Dependent(type = ServiceDependent.class),
      @Dependent(type = HpaDependent.class),
      @Dependent(type = PdbDependent.class),
      @Dependent(
          type = HttpRouteDependent.class,
          activationCondition = GatewayApiInstalledCondition.class,
          reconcilePrecondition = GatewayApiModeCondition.class)
    })
@ControllerConfiguration(
    name = ModelDeploymentReconciler.NAME,
    fieldManager = Names.MANAGED_BY,
    informer = @Informer(itemStore = PruningItemStore.OwnFields.class))
public class ModelDeploymentReconciler implements Reconciler<ModelDeployment> {

  public static final String NAME = "modeldeployment";
  static final String POD_EVENT_SOURCE = "pods";
  static final Duration RECHECK_MISSING = Duration.ofSeconds(10);
  static final Duration RECHECK_ROUTER_REMOVAL = Duration.ofSeconds(2);

  private final UserEvents events;
  private final Clock clock;

  public ModelDeploymentReconciler(UserEvents events, Clock clock) {
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, ModelDeployment>> prepareEventSources(
      EventSourceContext<ModelDeployment> context) {
    // pods are watched only for problems a user must act on (fetch failures, crash loops)
    var pods =
        InformerEventSourceConfiguration.from(Pod.class, ModelDeployment.class)
            .withName(POD_EVENT_SOURCE)
            .withLabelSelector(Names.MANAGED_BY_SELECTOR)
            .withItemStore(new CompactItemStore.Pods())
            // only changes in what a user must act on wake the reconciler, not every phase
            .withOnAddFilter(pod -> !PodProblem.of(pod).isEmpty())
            .withOnUpdateFilter(
                (updated, old) -> !PodProblem.of(updated).equals(PodProblem.of(old)))
            .withOnDeleteFilter((pod, unknownState) -> !PodProblem.of(pod).isEmpty())
            .withSecondaryToPrimaryMapper(
                pod ->
                    Optional.ofNullable(pod.getMetadata().getLabels())
                        .map(l -> l.get(Names.LABEL_MODEL_DEPLOYMENT))
                        .map(md -> Set.of(new ResourceID(md, pod.getMetadata().getNamespace())))
                        .orElse(Set.of()))
            .build();
    return List.of(new InformerEventSource<>(pods, context));
  }

  @Override
  public UpdateControl<ModelDeployment> reconcile(
      ModelDeployment md, Context<ModelDeployment> context) {
    boolean builtin = TrafficPlan.builtin(md);
    TrafficPlan plan = Plans.of(md, context);
    Optional<VersionObservation> router =
        plan.router().needed()
            ? Optional.of(
                new VersionObservation(
                    "router",
                    context
                        .getSecondaryResourcesAsStream(Deployment.class)
                        .filter(d -> Names.router(md).equals(d.getMetadata().getName()))
                        .findFirst(),
                    List.of()))
            : Optional.empty();
    List<PodProblem> missing = new ReferenceCheck(context.getClient()).problems(md);
    Optional<PodProblem> trafficProblem =
        builtin || GatewayApi.installed(context.getClient())
            ? Optional.empty()
            : Optional.of(
                new PodProblem(
                    StatusAggregator.GATEWAY_API_NOT_INSTALLED,
                    "spec.traffic.mode is gateway-api but the CRD "
                        + GatewayApi.CRD
                        + " (Gateway API v1) is not installed: no HTTPRoute can be created;"
                        + " install the Gateway API CRDs or use mode builtin"));
    ModelDeploymentStatus status =
        StatusAggregator.aggregate(
            md,
            observe(md, context),
            plan,
            router,
            // a missing Secret/ConfigMap the pods mount is the cause of what the pods then show
            PodProblem.all(missing).or(() -> trafficProblem),
            clock.instant());
    ModelDeploymentStatus previous = md.getStatus();
    announceNewProblem(md, previous, status);
    announceHeldWeight(md, previous, status);
    if (status.equals(previous)) {
      return recheck(UpdateControl.noUpdate(), missing, plan);
    }
    var patch = new ModelDeployment();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(md.getMetadata().getName())
            .withNamespace(md.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return recheck(UpdateControl.patchStatus(patch), missing, plan);
  }

  /**
   * The operator does not watch users' Secrets and ConfigMaps (it may only GET Secrets), so while
   * one is missing it looks again every {@link #RECHECK_MISSING}. A router no longer needed is
   * deleted only once the informer shows {@code <md>} moved off it, and the operator's own Service
   * apply wakes no reconciliation: it looks again after {@link #RECHECK_ROUTER_REMOVAL}.
   */
  private static UpdateControl<ModelDeployment> recheck(
      UpdateControl<ModelDeployment> control, List<PodProblem> missing, TrafficPlan plan) {
    if (!missing.isEmpty()) {
      return control.rescheduleAfter(RECHECK_MISSING);
    }
    if (plan.router().kept() && !plan.router().needed()) {
      return control.rescheduleAfter(RECHECK_ROUTER_REMOVAL);
    }
    return control;
  }

  /**
   * A child the API server refuses (a namespace quota, admission, validation) fails the workflow
   * before {@link #reconcile} runs: it becomes Ready=False/Degraded=True naming the object and the
   * API server's message, plus one Warning Event; JOSDK keeps retrying.
   */
  @Override
  public ErrorStatusUpdateControl<ModelDeployment> updateErrorStatus(
      ModelDeployment md, Context<ModelDeployment> context, Exception e) {
    var refusal = ChildRefusal.of(e);
    if (refusal.isEmpty()) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    ModelDeploymentStatus status = refusal.get().status(md, clock.instant());
    announceNewProblem(md, md.getStatus(), status);
    if (status.equals(md.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    var patch = new ModelDeployment();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(md.getMetadata().getName())
            .withNamespace(md.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(patch);
  }

  private Map<String, VersionObservation> observe(
      ModelDeployment md, Context<ModelDeployment> context) {
    Map<String, Deployment> deployments = new HashMap<>();
    context
        .getSecondaryResources(Deployment.class)
        .forEach(d -> deployments.put(d.getMetadata().getName(), d));
    Map<String, List<PodProblem>> problems = new HashMap<>();
    context
        .getSecondaryResourcesAsStream(Pod.class)
        .filter(p -> md.getMetadata().getName().equals(label(p, Names.LABEL_MODEL_DEPLOYMENT)))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .forEach(
            p ->
                problems
                    .computeIfAbsent(label(p, Names.LABEL_VERSION), k -> new ArrayList<>())
                    .addAll(PodProblem.of(p)));
    Map<String, VersionObservation> observed = new HashMap<>();
    for (ModelVersion v : md.getSpec().getVersions()) {
      observed.put(
          v.getName(),
          new VersionObservation(
              v.getName(),
              Optional.ofNullable(deployments.get(Names.version(md, v))),
              problems.getOrDefault(v.getName(), List.of())));
    }
    return observed;
  }

  /** One Warning event when Degraded turns True or changes reason; none while it stays. */
  private void announceNewProblem(
      ModelDeployment md, ModelDeploymentStatus previous, ModelDeploymentStatus next) {
    var now = Conditions.find(next.getConditions(), Conditions.DEGRADED);
    if (now.isEmpty() || !"True".equals(now.get().getStatus())) {
      return;
    }
    var before =
        previous == null
            ? Optional.<io.fabric8.kubernetes.api.model.Condition>empty()
            : Conditions.find(previous.getConditions(), Conditions.DEGRADED);
    boolean same =
        before.isPresent()
            && "True".equals(before.get().getStatus())
            && now.get().getReason().equals(before.get().getReason());
    if (!same) {
      events.warning(md, now.get().getReason(), now.get().getMessage());
    }
  }

  /**
   * One Normal event when WeightsApplied turns False or changes reason while some version serves;
   * none while it stays, and none while nothing serves yet (a new ModelDeployment: Ready says so).
   */
  private void announceHeldWeight(
      ModelDeployment md, ModelDeploymentStatus previous, ModelDeploymentStatus next) {
    var now = Conditions.find(next.getConditions(), Conditions.WEIGHTS_APPLIED);
    if (now.isEmpty() || !"False".equals(now.get().getStatus())) {
      return;
    }
    if (next.getVersions().stream().allMatch(v -> v.getWeight() == null || v.getWeight() == 0)) {
      return;
    }
    var before =
        previous == null
            ? Optional.<io.fabric8.kubernetes.api.model.Condition>empty()
            : Conditions.find(previous.getConditions(), Conditions.WEIGHTS_APPLIED);
    boolean servedBefore =
        previous != null
            && previous.getVersions().stream()
                .anyMatch(v -> v.getWeight() != null && v.getWeight() > 0);
    boolean same =
        servedBefore
            && before.isPresent()
            && "False".equals(before.get().getStatus())
            && now.get().getReason().equals(before.get().getReason());
    if (!same) {
      events.normal(md, "WeightHeldBack", now.get().getMessage());
    }
  }

  private static String label(Pod pod, String key) {
    var labels = pod.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }
}
