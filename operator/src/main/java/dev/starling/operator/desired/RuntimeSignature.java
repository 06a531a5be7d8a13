package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.Feature;
import dev.starling.api.v1alpha1.ModelDeploymentSpec;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.api.v1alpha1.Signature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A version's signature as runtime.yaml's {@code models[0].signature}. A version's own signature
 * replaces spec.signature whole, not field by field: features belong to one model, and merging two
 * feature lists would give a model columns it does not have.
 */
final class RuntimeSignature {

  private RuntimeSignature() {}

  static Optional<Signature> of(ModelDeploymentSpec spec, ModelVersion v) {
    return Optional.ofNullable(v.getSignature() != null ? v.getSignature() : spec.getSignature());
  }

  /** The YAML tree, unset fields left out (the runtime applies its own defaults). */
  static Map<String, Object> render(Signature s) {
    Map<String, Object> out = new LinkedHashMap<>();
    put(out, "input", s.getInput());
    if (s.getFeatures() != null && !s.getFeatures().isEmpty()) {
      out.put("features", s.getFeatures().stream().map(RuntimeSignature::feature).toList());
    }
    put(out, "output", s.getOutput());
    if (s.getLabels() != null && !s.getLabels().isEmpty()) {
      out.put("labels", List.copyOf(s.getLabels()));
    }
    put(out, "topK", s.getTopK());
    return out;
  }

  private static Map<String, Object> feature(Feature f) {
    Map<String, Object> out = new LinkedHashMap<>();
    put(out, "name", f.getName());
    put(out, "type", f.getType());
    put(out, "min", RuntimeConfigFactory.plain(f.getMin()));
    put(out, "max", RuntimeConfigFactory.plain(f.getMax()));
    put(out, "default", typedDefault(f));
    if (f.getValues() != null && !f.getValues().isEmpty()) {
      out.put("values", List.copyOf(f.getValues()));
    }
    return out;
  }

  /**
   * The CRD keeps a default as text (checked by CEL against the type); runtime.yaml gets it typed:
   * "35" for an int feature is 35, "false" for a bool feature is false, "12.5" is 12.5.
   */
  static Object typedDefault(Feature f) {
    String d = f.getDefaultValue();
    if (d == null) {
      return null;
    }
    String type = f.getType() == null ? "float" : f.getType();
    return switch (type) {
      case "bool" -> Boolean.parseBoolean(d);
      case "category" -> d;
      case "int" -> Long.parseLong(d);
      default -> RuntimeConfigFactory.plain(Double.parseDouble(d));
    };
  }

  private static void put(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }
}
