package dev.starling.api.v1alpha1;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Renders a Markdown field reference from the generated CRD (what kubectl explain shows). */
final class CrdReference {

  /** Subtrees copied from Kubernetes types; documented upstream, not expanded here. */
  private static final Set<String> UPSTREAM = Set.of(".resources", ".env", ".conditions");

  private CrdReference() {}

  static String render(String crdYaml) {
    var crd = Serialization.unmarshal(crdYaml, CustomResourceDefinition.class);
    var version = crd.getSpec().getVersions().get(0);
    var root = version.getSchema().getOpenAPIV3Schema();
    StringBuilder out = new StringBuilder();
    out.append("# ModelDeployment reference (")
        .append(crd.getSpec().getGroup())
        .append("/")
        .append(version.getName())
        .append(")\n\nGenerated from the Java types in crds/ by GeneratedCrdTest; do not edit.\n")
        .append("Kind `ModelDeployment`, short name `mdep`, categories `starling`, `ml`.\n\n")
        .append("| field | type | rules | description |\n|---|---|---|---|\n");
    for (String top : List.of("spec", "status")) {
      walk(top, root.getProperties().get(top), root.getRequired(), top, out);
    }
    out.append("\nCross-field rules (CEL):\n\n");
    cel("", root, out);
    return out.toString();
  }

  private static void walk(
      String path, JSONSchemaProps p, List<String> required, String name, StringBuilder out) {
    String type = p.getType() == null ? "int-or-string" : p.getType();
    if ("array".equals(type) && p.getItems() != null && p.getItems().getSchema() != null) {
      type = "[]" + p.getItems().getSchema().getType();
    }
    out.append("| `")
        .append(path)
        .append("` | ")
        .append(type)
        .append(" | ")
        .append(rules(p, required != null && required.contains(name)))
        .append(" | ")
        .append(p.getDescription() == null ? "" : p.getDescription().replace("|", "\\|"))
        .append(" |\n");
    if (UPSTREAM.stream().anyMatch(path::endsWith)) {
      return;
    }
    JSONSchemaProps children = p;
    String prefix = path;
    if (p.getItems() != null && p.getItems().getSchema() != null) {
      children = p.getItems().getSchema();
      prefix = path + "[]";
    }
    if (children.getProperties() != null) {
      for (Map.Entry<String, JSONSchemaProps> e : children.getProperties().entrySet()) {
        walk(prefix + "." + e.getKey(), e.getValue(), children.getRequired(), e.getKey(), out);
      }
    }
  }

  private static String rules(JSONSchemaProps p, boolean required) {
    List<String> rules = new ArrayList<>();
    if (required) {
      rules.add("required");
    }
    if (p.getMinimum() != null) {
      rules.add(">= " + p.getMinimum().intValue());
    }
    if (p.getMaximum() != null) {
      rules.add("<= " + p.getMaximum().intValue());
    }
    if (p.getMinItems() != null) {
      rules.add("min " + p.getMinItems() + " items");
    }
    if (p.getMaxItems() != null) {
      rules.add("max " + p.getMaxItems() + " items");
    }
    if (p.getMaxLength() != null) {
      rules.add("max length " + p.getMaxLength());
    }
    if (p.getPattern() != null) {
      rules.add("`" + p.getPattern() + "`");
    }
    if (p.getXKubernetesListType() != null) {
      rules.add("list-type " + p.getXKubernetesListType() + " " + p.getXKubernetesListMapKeys());
    }
    return String.join(", ", rules);
  }

  private static void cel(String path, JSONSchemaProps p, StringBuilder out) {
    if (p.getXKubernetesValidations() != null) {
      for (var rule : p.getXKubernetesValidations()) {
        String at = path + (rule.getFieldPath() != null ? rule.getFieldPath() : "");
        out.append("- `").append(at).append("`: ").append(rule.getMessage()).append("\n");
      }
    }
    if (p.getProperties() != null) {
      p.getProperties().forEach((k, v) -> cel(path + "." + k, v, out));
    }
    if (p.getItems() != null && p.getItems().getSchema() != null) {
      cel(path + "[]", p.getItems().getSchema(), out);
    }
  }
}
