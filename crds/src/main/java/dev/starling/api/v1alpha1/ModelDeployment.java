package dev.starling.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A model served on Kubernetes: one or more model versions, each run as autoscaled runtime pods,
 * behind one stable Service named after this object.
 */
@Group(ModelDeployment.GROUP)
@Version(ModelDeployment.VERSION)
@Kind("ModelDeployment")
@Plural("modeldeployments")
@Singular("modeldeployment")
@ShortNames("mdep")
@Categories({"starling", "ml"})
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "URL",
    jsonPath = ".status.url",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Versions",
    jsonPath = ".status.summary",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
// metadata is not part of the schema, so these root rules cannot carry a fieldPath; the
// messages name the field instead
@ValidationRule(
    value = "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message =
        "metadata.name must be a DNS-1035 label (lowercase letters, digits and '-', starting with a"
            + " letter): it names the Service",
    reason = "FieldValueInvalid")
@ValidationRule(
    value = "self.metadata.name.size() <= " + ModelDeployment.MAX_NAME_LENGTH,
    message =
        "metadata.name must be at most "
            + ModelDeployment.MAX_NAME_LENGTH
            + " characters: '<name>-<version>' names each version's Service",
    reason = "FieldValueInvalid")
public class ModelDeployment extends CustomResource<ModelDeploymentSpec, ModelDeploymentStatus>
    implements Namespaced {

  public static final String GROUP = "serving.starling.dev";
  public static final String VERSION = "v1alpha1";

  /** 47 + '-' + 15 (longest version name) = 63, the longest Service name. */
  public static final int MAX_NAME_LENGTH = 47;

  public ModelDeployment() {}

  public ModelDeployment(ModelDeploymentSpec spec) {
    setSpec(spec);
  }
}
