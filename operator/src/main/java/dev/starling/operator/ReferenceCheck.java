package dev.starling.operator;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.desired.MountedReferences;
import dev.starling.operator.desired.MountedReferences.Reference;
import dev.starling.operator.status.PodProblem;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks up the Secret and ConfigMaps a ModelDeployment mounts (one GET each, nothing cached or
 * copied; only the presence of the key is read) and turns each missing one into a problem with a
 * searchable reason: {@code SecretNotFound}, {@code SecretKeyNotFound}, {@code ConfigMapNotFound},
 * {@code ConfigMapKeyNotFound}.
 */
final class ReferenceCheck {

  private static final Logger LOG = LoggerFactory.getLogger(ReferenceCheck.class);

  private final KubernetesClient client;

  ReferenceCheck(KubernetesClient client) {
    this.client = client;
  }

  List<PodProblem> problems(ModelDeployment md) {
    String namespace = md.getMetadata().getNamespace();
    List<PodProblem> problems = new ArrayList<>();
    for (Reference r : MountedReferences.of(md)) {
      try {
        check(namespace, r).ifPresent(problems::add);
      } catch (KubernetesClientException e) {
        // cannot tell (e.g. no RBAC): say nothing rather than a wrong "not found"
        LOG.warn(
            "cannot check {} {}/{}: {}", r.kind().display(), namespace, r.name(), e.getMessage());
      }
    }
    return problems;
  }

  private Optional<PodProblem> check(String namespace, Reference r) {
    Optional<Boolean> hasKey =
        switch (r.kind()) {
          case SECRET ->
              Optional.ofNullable(client.secrets().inNamespace(namespace).withName(r.name()).get())
                  .map(s -> hasKey(s.getData(), r.key()) || hasKey(s.getStringData(), r.key()));
          case CONFIG_MAP ->
              Optional.ofNullable(
                      client.configMaps().inNamespace(namespace).withName(r.name()).get())
                  .map(c -> hasKey(c.getData(), r.key()) || hasKey(c.getBinaryData(), r.key()));
        };
    String kind = r.kind().display();
    if (hasKey.isEmpty()) {
      return Optional.of(
          new PodProblem(
              kind + "NotFound",
              String.format(
                  "%s '%s' (%s) does not exist in namespace '%s': the pods cannot start until it"
                      + " does",
                  kind, r.name(), r.field(), namespace)));
    }
    if (!hasKey.get()) {
      return Optional.of(
          new PodProblem(
              kind + "KeyNotFound",
              String.format(
                  "%s '%s' (%s) has no key '%s': the pods cannot start until it does",
                  kind, r.name(), r.field(), r.key())));
    }
    return Optional.empty();
  }

  private static boolean hasKey(Map<String, String> data, String key) {
    return data != null && data.containsKey(key);
  }
}
