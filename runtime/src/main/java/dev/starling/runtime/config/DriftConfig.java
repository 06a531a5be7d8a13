package dev.starling.runtime.config;

/**
 * Data-drift monitoring: on when {@code reference} (a profile written by {@code
 * starling-runtime.jar profile}) is set. {@code model} names the served model it describes (needed
 * only when the process serves several); {@code window} is how many recent rows the live
 * distribution is computed over. {@code feedback} turns on the ground-truth feedback endpoint.
 */
public record DriftConfig(String reference, String model, Integer window, FeedbackConfig feedback) {

  public DriftConfig {
    window = window == null ? 2000 : window;
    feedback = feedback == null ? FeedbackConfig.defaults() : feedback;
  }

  public static DriftConfig defaults() {
    return new DriftConfig(null, null, null, null);
  }

  public boolean enabled() {
    return reference != null;
  }

  public DriftConfig withReference(String file) {
    return new DriftConfig(file, model, window, feedback);
  }
}
