package dev.starling.runtime.model;

import dev.starling.runtime.config.ModelConfig;
import dev.starling.runtime.metrics.ModelMeters;
import dev.starling.runtime.pipeline.PredictionCache;
import dev.starling.runtime.pipeline.PredictionObserver;
import dev.starling.runtime.pipeline.SignatureBinding;

/**
 * A configured model version and where it stands: loading, ready (with its session) or failed (with
 * the reason, for readiness answers and logs).
 */
public final class ServedModel {
  /** Lifecycle of one model version. */
  public enum State {
    LOADING,
    READY,
    FAILED
  }

  private volatile ModelConfig config;
  private final ModelMeters meters;
  private volatile State state = State.LOADING;
  private volatile String failure;
  private volatile Serving serving;
  private volatile PredictionObserver observer = PredictionObserver.NONE;

  private volatile PredictionCache cache;

  /** Starts without a cache; the registry turns it on. */
  public ServedModel(ModelConfig config, ModelMeters meters) {
    this.config = config;
    this.meters = meters;
  }

  /** The prediction cache, or null when caching is off for this model. */
  public PredictionCache cache() {
    return cache;
  }

  /** Turns the cache on (a cache) or off (null) for the requests that start from now on. */
  public void cache(PredictionCache newCache) {
    this.cache = newCache;
  }

  public String name() {
    return config.name();
  }

  public String version() {
    return config.version();
  }

  public ModelConfig config() {
    return config;
  }

  public ModelMeters meters() {
    return meters;
  }

  public State state() {
    return state;
  }

  public String failure() {
    return failure;
  }

  public boolean ready() {
    return state == State.READY;
  }

  /** The session serving right now; null until the first load succeeded. */
  public OnnxModel model() {
    Serving s = serving;
    return s == null ? null : s.model();
  }

  /**
   * The serving session, retained for one request (release it when done); null if none is loaded. A
   * swap between reading and retaining is seen as a closed session and read again.
   */
  public Serving acquire() {
    while (true) {
      Serving s = serving;
      if (s == null || s.model().retain()) {
        return s;
      }
    }
  }

  /** A session and the signature config bound to it; swapped together. */
  public record Serving(OnnxModel model, SignatureBinding binding) {}

  /** The signature config bound to the serving model (features, labels). */
  public SignatureBinding binding() {
    Serving s = serving;
    return s == null ? null : s.binding();
  }

  /** Who watches this model's predictions (drift monitoring); never null. */
  public PredictionObserver observer() {
    return observer;
  }

  public void observer(PredictionObserver newObserver) {
    this.observer = newObserver == null ? PredictionObserver.NONE : newObserver;
  }

  /**
   * Switches new requests to {@code loaded} atomically; the previous session (if any) closes once
   * the requests still using it are done.
   */
  public void serve(OnnxModel loaded, SignatureBinding boundSignature) {
    OnnxModel previous = model();
    this.serving = new Serving(loaded, boundSignature);
    this.state = State.READY;
    this.failure = null;
    if (previous != null && previous != loaded) {
      previous.retire();
    }
  }

  /**
   * Rows one batched call may hold right now: 1 when batching is off, else the configured {@code
   * maxBatchSize} capped by what the serving session measured.
   */
  public int maxBatchRows() {
    ModelConfig c = config;
    if (!c.batching().enabled()) {
      return 1;
    }
    OnnxModel m = model();
    return m == null
        ? c.batching().maxBatchSize()
        : Math.min(c.batching().maxBatchSize(), m.maxBatchRows());
  }

  /**
   * Takes a changed source, signature, batching or cache config for this model (name and version
   * stay).
   */
  public void reconfigure(ModelConfig changed) {
    this.config = changed;
  }

  /** A replacement failed to load: keep serving the current session, remember why. */
  public void swapFailed(String reason) {
    this.failure = reason;
  }

  public void fail(String reason) {
    this.failure = reason;
    this.state = State.FAILED;
  }

  public void close() {
    OnnxModel m = model();
    if (m != null) {
      m.retire();
    }
  }
}
