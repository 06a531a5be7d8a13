package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.Auth;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The user's own objects a ModelDeployment's pods mount: the API-key Secret, the drift
 * reference-profile ConfigMaps and the CA ConfigMaps of https:// model sources. A missing one would
 * leave pods in ContainerCreating with no explanation on the ModelDeployment, so the operator
 * checks each before it reports Ready.
 */
public final class MountedReferences {

  /** One object and key the pods need, and the spec field that names it (for messages). */
  public record Reference(Kind kind, String name, String key, String field) {}

  /** What is referenced. */
  public enum Kind {
    SECRET("Secret"),
    CONFIG_MAP("ConfigMap");

    private final String display;

    Kind(String display) {
      this.display = display;
    }

    public String display() {
      return display;
    }
  }

  private MountedReferences() {}

  /** Every distinct reference, in spec order; the first field naming it wins. */
  public static List<Reference> of(ModelDeployment md) {
    Map<String, Reference> refs = new LinkedHashMap<>();
    Auth auth = md.getSpec().getAuth();
    if (auth != null && auth.getApiKeysSecretRef() != null) {
      add(
          refs,
          new Reference(
              Kind.SECRET,
              auth.getApiKeysSecretRef().getName(),
              Auth.API_KEYS_SECRET_KEY,
              "spec.auth.apiKeysSecretRef"));
    }
    for (ModelVersion v : md.getSpec().getVersions()) {
      PodTemplateFactory.modelCa(v)
          .ifPresent(
              ca ->
                  add(
                      refs,
                      new Reference(
                          Kind.CONFIG_MAP,
                          ca.getName(),
                          ca.keyOrDefault(),
                          "spec.versions[" + v.getName() + "].model.caBundleRef")));
      RuntimeSettings.drift(md.getSpec(), v)
          .ifPresent(
              d -> {
                boolean own = v.getDrift() != null && v.getDrift().getReferenceProfile() != null;
                String field =
                    own
                        ? "spec.versions[" + v.getName() + "].drift.referenceProfile"
                        : "spec.drift.referenceProfile";
                add(
                    refs,
                    new Reference(
                        Kind.CONFIG_MAP,
                        d.getReferenceProfile().getName(),
                        d.getReferenceProfile().keyOrDefault(),
                        field));
              });
    }
    return new ArrayList<>(refs.values());
  }

  private static void add(Map<String, Reference> refs, Reference r) {
    refs.putIfAbsent(r.kind() + "/" + r.name() + "/" + r.key(), r);
  }
}
