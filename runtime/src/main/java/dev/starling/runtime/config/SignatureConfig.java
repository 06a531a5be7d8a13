package dev.starling.runtime.config;

import java.util.List;

/**
 * Pre- and post-processing around a model: named features that become one input tensor, and class
 * labels (with top-k) read from one output.
 */
public record SignatureConfig(
    String input, List<FeatureConfig> features, String output, List<String> labels, Integer topK) {

  public SignatureConfig {
    features = features == null ? List.of() : List.copyOf(features);
    labels = labels == null ? List.of() : List.copyOf(labels);
  }
}
