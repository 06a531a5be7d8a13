package dev.starling.runtime.model;

import dev.starling.runtime.config.ModelConfig;
import dev.starling.runtime.metrics.ModelMeters;
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

  private final ModelConfig config;
  private final ModelMeters meters;
  private volatile State state = State.LOADING;
  private volatile String failure;
  private volatile OnnxModel model;
  private volatile SignatureBinding binding;
  private volatile PredictionObserver observer = PredictionObserver.NONE;

  public ServedModel(ModelConfig config, ModelMeters meters) {
    this.config = config;
    this.meters = meters;
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
    return model;
  }

  /** The signature config bound to the serving model (features, labels). */
  public SignatureBinding binding() {
    return binding;
  }

  /** Who watches this model's predictions (drift monitoring); never null. */
  public PredictionObserver observer() {
    return observer;
  }

  public void observer(PredictionObserver newObserver) {
    this.observer = newObserver == null ? PredictionObserver.NONE : newObserver;
  }

  public void serve(OnnxModel loaded, SignatureBinding boundSignature) {
    this.binding = boundSignature;
    this.model = loaded;
    this.state = State.READY;
  }

  public void fail(String reason) {
    this.failure = reason;
    this.state = State.FAILED;
  }

  public void close() {
    OnnxModel m = model;
    if (m != null) {
      m.close();
    }
  }
}
