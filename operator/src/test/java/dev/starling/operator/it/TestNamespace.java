package dev.starling.operator.it;

import static org.awaitility.Awaitility.await;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.desired.Names;
import dev.starling.operator.desired.VersionDefaults;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import org.awaitility.core.ConditionTimeoutException;

/** A namespace of its own for one test, with helpers to apply samples and read children. */
public final class TestNamespace implements AutoCloseable {

  /** The child kinds of a ModelDeployment. */
  public static final List<Class<? extends HasMetadata>> CHILD_KINDS =
      List.of(
          ConfigMap.class,
          Deployment.class,
          Service.class,
          HorizontalPodAutoscaler.class,
          PodDisruptionBudget.class);

  private final TestWorld world;
  private final String name;

  TestNamespace(TestWorld world, String prefix, Map<String, String> labels) {
    this.world = world;
    String base = prefix.toLowerCase().replaceAll("[^a-z0-9]", "").replaceAll("it$", "");
    this.name =
        base.substring(0, Math.min(base.length(), 20))
            + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    world
        .admin()
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  public String name() {
    return name;
  }

  public KubernetesClient admin() {
    return world.admin();
  }

  /** Reads samples/{file} as a ModelDeployment in this namespace. */
  public ModelDeployment sample(String file) {
    try {
      String yaml = Files.readString(world.repo().resolve("samples").resolve(file));
      ModelDeployment md = Serialization.unmarshal(yaml, ModelDeployment.class);
      md.getMetadata().setNamespace(name);
      return md;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Creates what a sample needs first: the objects in samples/prerequisites/ (API-key Secret, drift
   * profile ConfigMap) and the bound PVC "models" the pvc:// samples mount.
   */
  public void samplePrerequisites() {
    try (var files = Files.list(world.repo().resolve("samples/prerequisites"))) {
      for (var f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        createYaml(Files.readString(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String pv = "models-" + name;
    admin()
        .persistentVolumes()
        .resource(
            new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName(pv)
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity("1Gi")))
                .withAccessModes("ReadOnlyMany")
                .withStorageClassName("")
                .withPersistentVolumeReclaimPolicy("Delete")
                .withNewHostPath()
                .withPath("/tmp/" + pv)
                .endHostPath()
                .withNewClaimRef()
                .withNamespace(name)
                .withName("models")
                .endClaimRef()
                .endSpec()
                .build())
        .create();
    admin()
        .persistentVolumeClaims()
        .inNamespace(name)
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("models")
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadOnlyMany")
                .withStorageClassName("")
                .withVolumeName(pv)
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build())
        .create();
  }

  public ModelDeployment create(ModelDeployment md) {
    md.getMetadata().setNamespace(name);
    return admin().resource(md).inNamespace(name).create();
  }

  /** Creates an arbitrary object from YAML, as kubectl would. */
  public GenericKubernetesResource createYaml(String yaml) {
    GenericKubernetesResource r = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    r.getMetadata().setNamespace(name);
    return admin().resource(r).inNamespace(name).create();
  }

  public ModelDeployment get(String md) {
    return admin().resources(ModelDeployment.class).inNamespace(name).withName(md).get();
  }

  /**
   * Changes a ModelDeployment as a user would with {@code kubectl edit}: read, change, write with
   * its resourceVersion, and on a 409 (the operator wrote the status in between) read and change
   * again. Returns what the API server stored.
   */
  public ModelDeployment edit(String md, UnaryOperator<ModelDeployment> change) {
    KubernetesClientException conflict = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        return admin().resources(ModelDeployment.class).inNamespace(name).withName(md).edit(change);
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        conflict = e;
      }
    }
    throw conflict;
  }

  /** Waits until Ready=True for the current generation and returns the object. */
  public ModelDeployment awaitReady(String md, Duration timeout) {
    explained(
        md,
        () ->
            await()
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> isReady(get(md))));
    return get(md);
  }

  /**
   * Runs an await; when it times out, the failure carries what the namespace shows (the
   * ModelDeployment's status, Deployments, pods, the {@code <md>} selector, recent Events), so a
   * timeout in CI can be explained from its log alone.
   */
  private void explained(String md, Runnable wait) {
    try {
      wait.run();
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "\n" + describe(md), e);
    }
  }

  /** A short account of a ModelDeployment and what it owns, for failure messages. */
  public String describe(String md) {
    StringBuilder out = new StringBuilder("namespace ").append(name).append(":\n");
    try {
      ModelDeployment current = get(md);
      out.append("generation ")
          .append(current == null ? null : current.getMetadata().getGeneration())
          .append(", status:\n")
          .append(current == null ? "(gone)" : Serialization.asYaml(current.getStatus()));
      for (Deployment d : admin().apps().deployments().inNamespace(name).list().getItems()) {
        var st = d.getStatus();
        out.append("deployment ")
            .append(d.getMetadata().getName())
            .append(" replicas=")
            .append(d.getSpec().getReplicas())
            .append(
                st == null
                    ? ""
                    : " ready=" + st.getReadyReplicas() + " updated=" + st.getUpdatedReplicas())
            .append('\n');
      }
      for (var pod : admin().pods().inNamespace(name).list().getItems()) {
        out.append("pod ")
            .append(pod.getMetadata().getName())
            .append(' ')
            .append(pod.getStatus().getPhase())
            .append(" node=")
            .append(pod.getSpec().getNodeName());
        if (pod.getStatus().getConditions() != null) {
          pod.getStatus()
              .getConditions()
              .forEach(
                  c ->
                      out.append(' ')
                          .append(c.getType())
                          .append('=')
                          .append(c.getStatus())
                          .append(c.getMessage() == null ? "" : "(" + c.getMessage() + ")"));
        }
        out.append('\n');
      }
      Service stable = admin().services().inNamespace(name).withName(md).get();
      out.append("service ")
          .append(md)
          .append(" selector ")
          .append(stable == null ? null : stable.getSpec().getSelector())
          .append('\n');
      var events = admin().v1().events().inNamespace(name).list().getItems();
      events.stream()
          .skip(Math.max(0, events.size() - 20))
          .forEach(
              ev ->
                  out.append("event ")
                      .append(ev.getInvolvedObject().getKind())
                      .append('/')
                      .append(ev.getInvolvedObject().getName())
                      .append(' ')
                      .append(ev.getReason())
                      .append(": ")
                      .append(ev.getMessage())
                      .append('\n'));
    } catch (RuntimeException e) {
      out.append("(could not describe: ").append(e).append(")\n");
    }
    return out.toString();
  }

  /**
   * Waits until Ready and every version runs at least its minReplicas (the HPA has acted), so
   * nothing is left to change.
   */
  public ModelDeployment awaitSettled(String md, Duration timeout) {
    explained(md, () -> awaitSettledQuietly(md, timeout));
    return get(md);
  }

  private void awaitSettledQuietly(String md, Duration timeout) {
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              ModelDeployment current = get(md);
              if (!isReady(current)) {
                return false;
              }
              for (var v : current.getSpec().getVersions()) {
                int min = VersionDefaults.minReplicas(v);
                var status =
                    current.getStatus().getVersions().stream()
                        .filter(s -> s.getName().equals(v.getName()))
                        .findFirst();
                if (status.isEmpty()
                    || status.get().getDesiredReplicas() < min
                    || status.get().getReadyReplicas() < status.get().getDesiredReplicas()) {
                  return false;
                }
              }
              return true;
            });
  }

  public static boolean isReady(ModelDeployment md) {
    return md != null
        && md.getStatus() != null
        && md.getMetadata().getGeneration().equals(md.getStatus().getObservedGeneration())
        && md.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  /** Children of a ModelDeployment by kind then name, found by the operator's label. */
  public Map<String, List<String>> children(String md) {
    Map<String, List<String>> byKind = new TreeMap<>();
    for (Class<? extends HasMetadata> kind : CHILD_KINDS) {
      byKind.put(
          kind.getSimpleName(),
          admin()
              .resources(kind)
              .inNamespace(name)
              .withLabel(Names.LABEL_MODEL_DEPLOYMENT, md)
              .list()
              .getItems()
              .stream()
              .map(r -> r.getMetadata().getName())
              .sorted()
              .toList());
    }
    return byKind;
  }

  @Override
  public void close() {
    admin().namespaces().withName(name).delete();
    admin().persistentVolumes().withName("models-" + name).delete();
  }
}
