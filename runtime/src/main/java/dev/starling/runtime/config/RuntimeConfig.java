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
    List<ModelConfig> models,
    AuthConfig auth,
    RateLimitConfig rateLimit,
    DriftConfig drift) {

  public RuntimeConfig {
    server = server == null ? ServerConfig.defaults() : server;
    limits = limits == null ? LimitsConfig.defaults() : limits;
    inference = inference == null ? InferenceConfig.defaults() : inference;
    logging = logging == null ? LoggingConfig.defaults() : logging;
    models = models == null ? List.of() : List.copyOf(models);
    auth = auth == null ? AuthConfig.defaults() : auth;
    rateLimit = rateLimit == null ? RateLimitConfig.defaults() : rateLimit;
    drift = drift == null ? DriftConfig.defaults() : drift;
  }

  /** Without the security and monitoring sections (all off). */
  public RuntimeConfig(
      ServerConfig server,
      LimitsConfig limits,
      InferenceConfig inference,
      LoggingConfig logging,
      List<ModelConfig> models) {
    this(server, limits, inference, logging, models, null, null, null);
  }

  public RuntimeConfig withServer(ServerConfig newServer) {
    return new RuntimeConfig(newServer, limits, inference, logging, models, auth, rateLimit, drift);
  }

  public RuntimeConfig withInference(InferenceConfig newInference) {
    return new RuntimeConfig(server, limits, newInference, logging, models, auth, rateLimit, drift);
  }

  public RuntimeConfig withModels(List<ModelConfig> newModels) {
    return new RuntimeConfig(server, limits, inference, logging, newModels, auth, rateLimit, drift);
  }

  public RuntimeConfig withLogging(LoggingConfig newLogging) {
    return new RuntimeConfig(server, limits, inference, newLogging, models, auth, rateLimit, drift);
  }

  public RuntimeConfig withAuth(AuthConfig newAuth) {
    return new RuntimeConfig(server, limits, inference, logging, models, newAuth, rateLimit, drift);
  }

  public RuntimeConfig withRateLimit(RateLimitConfig newRateLimit) {
    return new RuntimeConfig(server, limits, inference, logging, models, auth, newRateLimit, drift);
  }

  public RuntimeConfig withDrift(DriftConfig newDrift) {
    return new RuntimeConfig(server, limits, inference, logging, models, auth, rateLimit, newDrift);
  }
}
