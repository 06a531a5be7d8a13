package dev.starling.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Runs fabric8's crd-generator on {@link ModelDeployment} with the two things its annotations
 * cannot say: printer columns in declaration order (the generator sorts them by JSONPath, which
 * would put Age first) and {@code x-kubernetes-list-type: map} on {@code spec.versions} and on the
 * signatures' {@code features} (keyed by name).
 */
final class CrdGeneration {

  static final String FILE_NAME = "modeldeployments.serving.starling.dev-v1.yml";

  private CrdGeneration() {}

  /** Generates the CRD into {@code outputDir} and returns the file's path. */
  static Path generate(Path outputDir) throws IOException {
    Files.createDirectories(outputDir);
    new CRDGenerator()
        .inOutputDir(outputDir.toFile())
        .forCRDVersions("v1")
        .customResourceClasses(ModelDeployment.class)
        .withPostProcessor(
            new CRDPostProcessor() {
              @Override
              public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
                return postProcess(crd);
              }
            })
        .generate();
    return outputDir.resolve(FILE_NAME);
  }

  private static HasMetadata postProcess(HasMetadata crd) {
    var v1 = (CustomResourceDefinition) crd;
    var served = v1.getSpec().getVersions().get(0);
    served
        .getAdditionalPrinterColumns()
        .sort(Comparator.comparingInt(CrdGeneration::declaredIndex));
    JSONSchemaProps versions =
        served
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec")
            .getProperties()
            .get("versions");
    versions.setXKubernetesListType("map");
    versions.setXKubernetesListMapKeys(List.of("name"));
    // a feature name appears once: the API server refuses a duplicate itself, no CEL cost
    JSONSchemaProps spec = served.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    for (JSONSchemaProps signature :
        List.of(
            spec.getProperties().get("signature"),
            versions.getItems().getSchema().getProperties().get("signature"))) {
      JSONSchemaProps features = signature.getProperties().get("features");
      features.setXKubernetesListType("map");
      features.setXKubernetesListMapKeys(List.of("name"));
    }
    return crd;
  }

  private static int declaredIndex(CustomResourceColumnDefinition column) {
    List<String> names =
        Arrays.stream(ModelDeployment.class.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    return names.indexOf(column.getName());
  }
}
