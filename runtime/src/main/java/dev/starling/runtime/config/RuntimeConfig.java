package dev.starling.runtime.config;

import java.util.List;

/**
 * The runtime's whole configuration: what {@code runtime.yaml} binds to (see contract/README.md).
 */
public record RuntimeConfig(
    ServerConfig server,
    LimitsConfig limits,
    InferenceConfig inference,
    LoggingConfig logging,
    List<ModelConfig> models) {

  public RuntimeConfig {
    server = server == null ? ServerConfig.defaults() : server;
    limits = limits == null ? LimitsConfig.defaults() : limits;
    inference = inference == null ? InferenceConfig.defaults() : inference;
    logging = logging == null ? LoggingConfig.defaults() : logging;
    models = models == null ? List.of() : List.copyOf(models);
  }

  public RuntimeConfig withServer(ServerConfig newServer) {
    return new RuntimeConfig(newServer, limits, inference, logging, models);
  }

  public RuntimeConfig withInference(InferenceConfig newInference) {
    return new RuntimeConfig(server, limits, newInference, logging, models);
  }

  public RuntimeConfig withModels(List<ModelConfig> newModels) {
    return new RuntimeConfig(server, limits, inference, logging, newModels);
  }

  public RuntimeConfig withLogging(LoggingConfig newLogging) {
    return new RuntimeConfig(server, limits, inference, newLogging, models);
  }
}
