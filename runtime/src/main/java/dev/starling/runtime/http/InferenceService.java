package dev.starling.runtime.http;

import dev.starling.runtime.metrics.ModelMeters.Outcome;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.pipeline.ApiException;
import dev.starling.runtime.pipeline.InferenceListener;
import dev.starling.runtime.pipeline.Predictor;
import java.util.function.IntSupplier;

/**
 * The inference endpoints without an HTTP framework: a model name, a body in, an {@link Answer}
 * out, errors included. Javalin's routes and the Jetty fast path ({@link InferenceFastPath}) both
 * call it, so readiness, overload shedding, draining, limits, metrics and feedback are the same
 * whichever one received the request. Access control runs before it, in the caller.
 */
final class InferenceService {
  private final ModelRegistry models;
  private final Predictor predictor;
  private final V1Inference v1;
  private final Lifecycle lifecycle;
  private final long maxBodyBytes;
  private final IntSupplier maxInflight;
  private final InferenceListener listener;

  /** {@code maxInflight} is read per request: a reloaded config changes it live. */
  InferenceService(
      ModelRegistry models,
      Predictor predictor,
      Lifecycle lifecycle,
      long maxBodyBytes,
      IntSupplier maxInflight,
      InferenceListener listener) {
    this.models = models;
    this.predictor = predictor;
    this.v1 = new V1Inference(predictor);
    this.lifecycle = lifecycle;
    this.maxBodyBytes = maxBodyBytes;
    this.maxInflight = maxInflight;
    this.listener = listener;
  }

  /** OIP v2 infer on {@code model} ({@code version} null when the path names none). */
  Answer inferV2(String model, String version, RequestBody body, String path) {
    boolean[] close = new boolean[1];
    try {
      ServedModel m = find(model, version);
      byte[] answer =
          track(
              m,
              "v2",
              close,
              body,
              () -> predictor.inferV2(m, Bodies.readJson(body, maxBodyBytes)));
      listener.answeredV2(m, answer);
      return Answer.ok(answer, close[0]);
    } catch (ApiException e) {
      return Answer.error(e, close[0]);
    } catch (RuntimeException e) {
      ErrorResponses.unexpected("POST", path, e);
      return Answer.internalError(close[0]);
    }
  }

  /** KServe V1 predict on {@code model}. */
  Answer predictV1(String model, RequestBody body, String path) {
    boolean[] close = new boolean[1];
    try {
      ServedModel m = find(model, null);
      return Answer.ok(
          track(m, "v1", close, body, () -> v1.predict(m, body, maxBodyBytes)), close[0]);
    } catch (ApiException e) {
      return Answer.error(e, close[0]);
    } catch (RuntimeException e) {
      ErrorResponses.unexpected("POST", path, e);
      return Answer.internalError(close[0]);
    }
  }

  /** Work on one inference request, giving the answer body. */
  @FunctionalInterface
  interface Work {
    byte[] run();
  }

  /**
   * Runs an inference request with its bookkeeping: readiness, in-flight counts (for draining and
   * the gauge), {@code Connection: close} once the server drains ({@code close[0]}), and the
   * request metrics by outcome, timed from the request's arrival.
   */
  private byte[] track(
      ServedModel m, String protocol, boolean[] close, RequestBody body, Work work) {
    if (!m.ready()) {
      throw ApiException.unavailable("model '" + m.name() + "' is not ready");
    }
    long t0 = body.arrivedNanos();
    int status = 500;
    Outcome outcome = null;
    lifecycle.enter();
    int inflight = m.meters().inflight().incrementAndGet();
    int bound = maxInflight.getAsInt();
    try {
      if (inflight > bound) {
        // Shed at once: a fast 503 lets the client (or the router) go elsewhere, where queueing
        // would only make every request late.
        m.meters().rejected("overload");
        outcome = Outcome.SHED;
        throw new ApiException(
            503,
            "model '" + m.name() + "' is overloaded (" + bound + " requests in flight); retry",
            1);
      }
      close[0] = lifecycle.closeConnections();
      byte[] answer = work.run();
      status = 200;
      return answer;
    } catch (ApiException e) {
      status = e.status();
      throw e;
    } finally {
      m.meters().inflight().decrementAndGet();
      lifecycle.leave();
      m.meters()
          .request(
              protocol,
              status,
              outcome != null ? outcome : Outcome.of(status),
              System.nanoTime() - t0);
    }
  }

  /**
   * The served model named in the path (404 if none), at the version asked for (404 if another).
   */
  ServedModel find(String name, String version) {
    ServedModel m = models.get(name);
    if (m == null) {
      throw ApiException.notFound(
          "unknown model '"
              + V2Routes.clip(name)
              + "'; this server serves "
              + models.all().stream().map(ServedModel::name).toList());
    }
    if (version != null && !version.equals(m.version())) {
      throw ApiException.notFound(
          "model '"
              + name
              + "' has no version '"
              + V2Routes.clip(version)
              + "' here (serving "
              + m.version()
              + ")");
    }
    return m;
  }
}
