package dev.starling.runtime.security;

import dev.starling.runtime.config.AuthConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.model.ServedModel;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.MDC;

/**
 * Who may call what: API keys ({@code Authorization: Bearer KEY} or {@code x-api-key: KEY}) and
 * per-client rate limits, checked before every matched route except the kubelet's health probes and
 * (unless {@code auth.protectMetrics}) {@code /metrics}. Everything else (inference, feedback,
 * model and server metadata, OpenAPI, docs) needs a key when auth is on, and spends a token when
 * rate limiting is on. The decision is made on the route that matched, not the raw path, so no
 * spelling of a path reaches a protected handler unchecked.
 *
 * <p>The key's id (never the key) becomes the request attribute {@link #KEY_ID} and the log MDC
 * field {@code apiKeyId}; rate limits are per key id when auth is on, per client address when not.
 */
public final class AccessControl {
  /** Request attribute holding the caller's API key id. */
  public static final String KEY_ID = "starling.apiKeyId";

  private static final Set<String> HEALTH = Set.of("/v2/health/live", "/v2/health/ready");

  private final AuthConfig auth;
  private final ApiKeyFile keys;
  private final RateLimiter limiter;
  private final ModelRegistry models;
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> rejected = new ConcurrentHashMap<>();

  private AccessControl(
      AuthConfig auth,
      ApiKeyFile keys,
      RateLimiter limiter,
      ModelRegistry models,
      MeterRegistry r) {
    this.auth = auth;
    this.keys = keys;
    this.limiter = limiter;
    this.models = models;
    this.registry = r;
    if (limiter != null) {
      Gauge.builder("starling.rate.limit.clients", limiter, RateLimiter::clients)
          .description("Clients with a token bucket held right now")
          .register(r);
    }
  }

  /**
   * Wires auth and rate limiting into the app when the config turns them on; reads the key file now
   * (a ConfigException names the field if it cannot).
   */
  public static void install(
      RuntimeConfig cfg, ModelRegistry models, MeterRegistry registry, JavalinConfig app) {
    if (!cfg.auth().enabled() && !cfg.rateLimit().enabled()) {
      return;
    }
    ApiKeyFile keys =
        cfg.auth().enabled() ? new ApiKeyFile(Path.of(cfg.auth().apiKeysFile()), registry) : null;
    RateLimiter limiter = cfg.rateLimit().enabled() ? new RateLimiter(cfg.rateLimit()) : null;
    AccessControl ac = new AccessControl(cfg.auth(), keys, limiter, models, registry);
    app.routes.beforeMatched(ac::check);
    app.routes.after(ctx -> MDC.remove("apiKeyId"));
    if (keys != null) {
      app.events.serverStarted(() -> keys.watch(cfg.auth().reloadInterval()));
      app.events.serverStopped(keys::close);
    }
  }

  void check(Context ctx) {
    MDC.remove("apiKeyId");
    if (open(route(ctx))) {
      return;
    }
    String client;
    if (keys != null) {
      String id = keys.identify(presentedKey(ctx));
      if (id == null) {
        rejected(ctx, "auth");
        throw Rejections.unauthorized(ctx);
      }
      ctx.attribute(KEY_ID, id);
      MDC.put("apiKeyId", id);
      client = "key:" + id;
    } else {
      client = "ip:" + ctx.ip();
    }
    if (limiter != null) {
      long wait = limiter.tryAcquire(client);
      if (wait > 0) {
        rejected(ctx, "rate_limit");
        throw Rejections.rateLimited(ctx, wait);
      }
    }
  }

  private boolean open(String route) {
    return HEALTH.contains(route) || (route.equals("/metrics") && !auth.protectMetrics());
  }

  /** The path pattern of the route that matched, e.g. {@code /v2/models/{model}/infer}. */
  private static String route(Context ctx) {
    Endpoint e = ctx.endpoints().matchedHttpEndpoint();
    return e != null ? e.path : ctx.path();
  }

  /** {@code Authorization: Bearer KEY} (scheme case-insensitive), else {@code x-api-key: KEY}. */
  static String presentedKey(Context ctx) {
    String authz = ctx.header("Authorization");
    if (authz != null && authz.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authz.substring(7).strip();
    }
    String key = ctx.header("x-api-key");
    return key == null ? null : key.strip();
  }

  /**
   * Counts a refusal under {@code starling_rejected_requests_total{model,version,reason}}, the
   * series overload shedding also uses; requests for no served model (metadata, docs, unknown
   * names) count with empty model and version, so a flood of made-up names adds no series.
   */
  private void rejected(Context ctx, String reason) {
    String name = ctx.pathParamMap().get("model");
    ServedModel m = name == null ? null : models.get(name);
    String model = m == null ? "" : m.name();
    String version = m == null ? "" : m.version();
    rejected
        .computeIfAbsent(
            model + "\0" + version + "\0" + reason,
            k ->
                Counter.builder("starling.rejected.requests")
                    .description("Requests refused before inference, by reason")
                    .tags("model", model, "version", version, "reason", reason)
                    .register(registry))
        .increment();
  }
}
