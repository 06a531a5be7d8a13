package dev.starling.runtime.http;

import dev.starling.runtime.metrics.ModelMeters.Outcome;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.pipeline.ApiException;
import dev.starling.runtime.pipeline.InferenceListener;
import dev.starling.runtime.pipeline.Predictor;
import java.util.concurrent.ConcurrentHashMap;
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
  private final ConcurrentHashMap<String, Shed> shed = new ConcurrentHashMap<>();

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
    try {
      ServedModel m = find(model, version);
      Answer a =
          track(
              m, "v2", body, path, () -> predictor.inferV2(m, Bodies.readJson(body, maxBodyBytes)));
      if (a.status() == 200) {
        try {
          listener.answeredV2(m, a.body());
        } catch (RuntimeException e) {
          ErrorResponses.unexpected("POST", path, e);
          return Answer.internalError(a.close());
        }
      }
      return a;
    } catch (ApiException e) {
      return Answer.error(e, false);
    } catch (RuntimeException e) {
      ErrorResponses.unexpected("POST", path, e);
      return Answer.internalError(false);
    }
  }

  /** KServe V1 predict on {@code model}. */
  Answer predictV1(String model, RequestBody body, String path) {
    try {
      ServedModel m = find(model, null);
      return track(m, "v1", body, path, () -> v1.predict(m, body, maxBodyBytes));
    } catch (ApiException e) {
      return Answer.error(e, false);
    } catch (RuntimeException e) {
      ErrorResponses.unexpected("POST", path, e);
      return Answer.internalError(false);
    }
  }

  /** Work on one inference request, giving the answer body. */
  @FunctionalInterface
  interface Work {
    byte[] run();
  }

  /**
   * Runs an inference request with its bookkeeping: readiness, the in-flight bound, in-flight
   * counts (for draining and the gauge), {@code Connection: close} once the server drains, and the
   * request metrics by outcome, timed from the request's arrival. Answers what the client gets,
   * failures included (a model that is not ready is thrown, like an unknown one).
   */
  private Answer track(ServedModel m, String protocol, RequestBody body, String path, Work work) {
    if (!m.ready()) {
      throw ApiException.unavailable("model '" + m.name() + "' is not ready");
    }
    long t0 = body.arrivedNanos();
    int status = 500;
    Outcome outcome = null;
    boolean close = false;
    lifecycle.enter();
    int inflight = m.meters().inflight().incrementAndGet();
    int bound = maxInflight.getAsInt();
    try {
      if (inflight > bound) {
        // Shed at once: a fast 503 lets the client (or the router) go elsewhere, where queueing
        // would only make every request late.
        m.meters().rejected("overload");
        status = 503;
        outcome = Outcome.SHED;
        return shedAnswer(m.name(), bound);
      }
      close = lifecycle.closeConnections();
      Answer answer = Answer.ok(work.run(), close);
      status = 200;
      return answer;
    } catch (ApiException e) {
      status = e.status();
      return Answer.error(e, close);
    } catch (RuntimeException e) {
      ErrorResponses.unexpected("POST", path, e);
      return Answer.internalError(close);
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

  /** A model's 503 answer when shed at a given bound. */
  private record Shed(int bound, Answer answer) {}

  /**
   * The 503 of a model shed at {@code bound}, built once per model and bound: under overload most
   * answers are this one, and building it each time (message, exception, a JSON generator) was most
   * of what the shed path itself allocated. The answer's bytes are only read, never changed.
   */
  private Answer shedAnswer(String model, int bound) {
    Shed s = shed.get(model);
    if (s == null || s.bound() != bound) {
      ApiException e =
          new ApiException(
              503,
              "model '" + model + "' is overloaded (" + bound + " requests in flight); retry",
              1);
      s = new Shed(bound, Answer.error(e, false));
      shed.put(model, s); // names come from the served models only: the map stays that small
    }
    return s.answer();
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
