package dev.starling.runtime.security;

import dev.starling.runtime.config.AuthConfig;
import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.LiveSettings;
import dev.starling.runtime.config.RateLimitConfig;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

  private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);
  private static final Set<String> HEALTH = Set.of("/v2/health/live", "/v2/health/ready");

  private final ModelRegistry models;
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> rejected = new ConcurrentHashMap<>();
  private volatile Policy policy = Policy.OFF;
  private boolean keysGauge;
  private boolean clientsGauge;

  /**
   * What is checked right now; replaced whole on a reload, so a request sees one policy. {@code
   * keys} is null when auth is off, {@code limiter} when rate limiting is.
   */
  private record Policy(
      AuthConfig auth, RateLimitConfig rate, ApiKeyFile keys, RateLimiter limiter) {
    static final Policy OFF =
        new Policy(AuthConfig.defaults(), RateLimitConfig.defaults(), null, null);

    boolean off() {
      return keys == null && limiter == null;
    }
  }

  private AccessControl(ModelRegistry models, MeterRegistry r) {
    this.models = models;
    this.registry = r;
  }

  /**
   * Wires auth and rate limiting into the app and applies the config in force (the key file is read
   * now; a ConfigException names the field if it cannot). Every config {@code live} applies later
   * is applied too: auth on or off, another key file, {@code protectMetrics}, a new rate or burst
   * take effect for the requests that start after it, without a restart.
   */
  public static AccessControl install(
      LiveSettings live, ModelRegistry models, MeterRegistry registry, JavalinConfig app) {
    AccessControl ac = new AccessControl(models, registry);
    ac.apply(live.get(), false);
    live.onChange(next -> ac.reconfigure(next));
    app.routes.beforeMatched(ac::check);
    app.routes.after(ctx -> MDC.remove("apiKeyId"));
    app.events.serverStarted(ac::watchKeys);
    app.events.serverStopped(ac::close);
    return ac;
  }

  /** A reloaded config; one that cannot be applied (an unreadable key file) keeps the old auth. */
  void reconfigure(RuntimeConfig next) {
    try {
      apply(next, true);
    } catch (ConfigException e) {
      LOG.error("{}; keeping the access rules in force", e.getMessage());
      apply(next.withAuth(policy.auth()), true);
    }
  }

  private synchronized void apply(RuntimeConfig next, boolean running) {
    Policy old = policy;
    ApiKeyFile keys = old.keys();
    AuthConfig auth = next.auth();
    if (!auth.enabled()) {
      keys = null;
    } else if (keys == null
        || !auth.apiKeysFile().equals(old.auth().apiKeysFile())
        || !auth.reloadInterval().equals(old.auth().reloadInterval())) {
      keys = new ApiKeyFile(Path.of(auth.apiKeysFile()), registry);
      if (running) {
        keys.watch(auth.reloadInterval());
      }
    }
    RateLimiter limiter = old.limiter();
    if (!next.rateLimit().equals(old.rate())) {
      if (!next.rateLimit().enabled()) {
        limiter = null;
      } else if (limiter != null) {
        limiter.reconfigure(next.rateLimit()); // clients keep the tokens they hold
      } else {
        limiter = new RateLimiter(next.rateLimit());
      }
    }
    policy = new Policy(auth, next.rateLimit(), keys, limiter);
    if (old.keys() != null && old.keys() != keys) {
      old.keys().close();
    }
    registerGauges();
    if (running && (!auth.equals(old.auth()) || !next.rateLimit().equals(old.rate()))) {
      LOG.info(
          "access rules now: auth {}, protectMetrics {}, rate limit {}",
          keys != null ? "on (" + auth.apiKeysFile() + ")" : "off",
          auth.protectMetrics(),
          limiter != null
              ? next.rateLimit().requestsPerSecond() + "/s, burst " + next.rateLimit().burst()
              : "off");
    }
  }

  /** The gauges appear once the feature is first on, and follow whichever policy is in force. */
  private void registerGauges() {
    Policy p = policy;
    if (p.keys() != null && !keysGauge) {
      Gauge.builder("starling.api.keys", this, ac -> ac.keyCount())
          .description("API keys loaded from the keys file")
          .strongReference(true)
          .register(registry);
      keysGauge = true;
    }
    if (p.limiter() != null && !clientsGauge) {
      Gauge.builder("starling.rate.limit.clients", this, ac -> ac.clients())
          .description("Clients with a token bucket held right now")
          .strongReference(true)
          .register(registry);
      clientsGauge = true;
    }
  }

  private double keyCount() {
    ApiKeyFile k = policy.keys();
    return k == null ? 0 : k.current().size();
  }

  private double clients() {
    RateLimiter l = policy.limiter();
    return l == null ? 0 : l.clients();
  }

  private synchronized void watchKeys() {
    if (policy.keys() != null) {
      policy.keys().watch(policy.auth().reloadInterval());
    }
  }

  private synchronized void close() {
    if (policy.keys() != null) {
      policy.keys().close();
    }
  }

  void check(Context ctx) {
    MDC.remove("apiKeyId");
    Policy p = policy;
    if (p.off()) {
      return;
    }
    String id =
        admit(
            route(ctx),
            ctx.header("Authorization"),
            ctx.header("x-api-key"),
            ctx.ip(),
            ctx.pathParamMap().get("model"));
    if (id != null) {
      ctx.attribute(KEY_ID, id);
    }
  }

  /**
   * The access decision for one request to {@code route} (the matched path pattern, e.g. {@code
   * /v2/models/{model}/infer}), without any HTTP framework: returns the caller's key id (null when
   * auth is off or the route is open), or throws the 401/429 to answer. Puts the key id in the log
   * MDC as {@code apiKeyId}; the caller removes it when the request ends.
   */
  public String admit(
      String route, String authorization, String apiKey, String ip, String modelName) {
    Policy p = policy;
    if (p.off() || open(p, route)) {
      return null;
    }
    String client;
    String id = null;
    if (p.keys() != null) {
      id = p.keys().identify(presentedKey(authorization, apiKey));
      if (id == null) {
        rejected(modelName, "auth");
        throw Rejections.unauthorized();
      }
      MDC.put("apiKeyId", id);
      client = "key:" + id;
    } else {
      client = "ip:" + ip;
    }
    if (p.limiter() != null) {
      long wait = p.limiter().tryAcquire(client);
      if (wait > 0) {
        rejected(modelName, "rate_limit");
        throw Rejections.rateLimited(wait);
      }
    }
    return id;
  }

  private static boolean open(Policy p, String route) {
    return HEALTH.contains(route)
        || (route.equals("/metrics") && (p.keys() == null || !p.auth().protectMetrics()));
  }

  /** The path pattern of the route that matched, e.g. {@code /v2/models/{model}/infer}. */
  private static String route(Context ctx) {
    Endpoint e = ctx.endpoints().matchedHttpEndpoint();
    return e != null ? e.path : ctx.path();
  }

  /** {@code Authorization: Bearer KEY} (scheme case-insensitive), else {@code x-api-key: KEY}. */
  static String presentedKey(String authz, String apiKey) {
    if (authz != null && authz.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authz.substring(7).strip();
    }
    return apiKey == null ? null : apiKey.strip();
  }

  /**
   * Counts a refusal under {@code starling_rejected_requests_total{model,version,reason}}, the
   * series overload shedding also uses; requests for no served model (metadata, docs, unknown
   * names) count with empty model and version, so a flood of made-up names adds no series.
   */
  private void rejected(String name, String reason) {
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
