package dev.starling.runtime.http;

import com.netflix.concurrency.limits.Limiter;
import dev.starling.runtime.metrics.ModelMeters;
import dev.starling.runtime.metrics.ModelMeters.Outcome;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.pipeline.AdaptiveInflightLimit;
import dev.starling.runtime.pipeline.ApiException;
import dev.starling.runtime.pipeline.InferenceListener;
import dev.starling.runtime.pipeline.Predictor;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;

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
  private final BooleanSupplier adaptive;
  private final int permits;
  private final ConcurrentHashMap<String, Shed> shed = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ModelMeters, AdaptiveInflightLimit> limits =
      new ConcurrentHashMap<>();

  /** A fixed in-flight bound ({@code inference.inflightLimit: fixed}). */
  InferenceService(
      ModelRegistry models,
      Predictor predictor,
      Lifecycle lifecycle,
      long maxBodyBytes,
      IntSupplier maxInflight,
      InferenceListener listener) {
    this(models, predictor, lifecycle, maxBodyBytes, maxInflight, () -> false, 1, listener);
  }

  /**
   * {@code maxInflight} and {@code adaptive} ({@code inference.inflightLimit: adaptive}) are read
   * per request: a reloaded config changes them live. An adaptive limit starts at {@code permits}
   * (the inference permits, {@code maxConcurrent}) and never passes {@code maxInflight}.
   */
  InferenceService(
      ModelRegistry models,
      Predictor predictor,
      Lifecycle lifecycle,
      long maxBodyBytes,
      IntSupplier maxInflight,
      BooleanSupplier adaptive,
      int permits,
      InferenceListener listener) {
    this.models = models;
    this.predictor = predictor;
    this.v1 = new V1Inference(predictor);
    this.lifecycle = lifecycle;
    this.maxBodyBytes = maxBodyBytes;
    this.maxInflight = maxInflight;
    this.adaptive = adaptive;
    this.permits = permits;
    this.listener = listener;
  }

  /**
   * The model's adaptive limit, made on its first request (one per model version), exported as
   * {@code starling_inflight_limit}; it starts afresh when an in-place swap loads another model
   * file or the bound changes ({@link AdaptiveInflightLimit#follow}).
   */
  private AdaptiveInflightLimit limit(ServedModel m, int bound) {
    AdaptiveInflightLimit l = limits.get(m.meters());
    if (l == null) {
      l =
          limits.computeIfAbsent(
              m.meters(),
              k -> {
                AdaptiveInflightLimit made = new AdaptiveInflightLimit(permits, bound);
                k.inflightLimit(made, AdaptiveInflightLimit::limit);
                return made;
              });
    }
    return l.follow(m.model(), bound);
  }

  /**
   * OIP v2 infer on {@code model} ({@code version} null when the path names none), for a caller
   * that reads the body with a blocking stream (Javalin's routes): the body is read in full after
   * admission and before the in-flight place is taken, so a slow upload holds a server thread
   * (bounded by {@code server.minRequestDataRate}) but not one of the model's places.
   */
  Answer inferV2(String model, String version, RequestBody body, String path) {
    return readFirst(body, read -> admitV2(model, version, read, path));
  }

  /** KServe V1 predict on {@code model}, the body read as in {@link #inferV2}. */
  Answer predictV1(String model, RequestBody body, String path) {
    return readFirst(body, read -> admitV1(model, read, path));
  }

  /** Admits, reads the whole body if admitted, then runs (see {@link #inferV2}). */
  private Answer readFirst(RequestBody body, Function<RequestBody, Admission> admit) {
    ReadFirst read = new ReadFirst(body, maxBodyBytes);
    Admission a = admit.apply(read);
    if (a.admitted()) {
      read.read();
    }
    return a.run();
  }

  /**
   * A body read in full before the work runs ({@link #read}); the work's own read then gets those
   * bytes, or the error the read ended with (408, 400, 413...), so the answer and its metrics are
   * what they would have been had the work read it. A body refused unread (wrong Content-Type, a
   * declared length over the limit) stays unread, and the work refuses it the same way.
   */
  private static final class ReadFirst implements RequestBody {
    private final RequestBody body;
    private final long maxBytes;
    private byte[] bytes;
    private RuntimeException failed;

    ReadFirst(RequestBody body, long maxBytes) {
      this.body = body;
      this.maxBytes = maxBytes;
    }

    void read() {
      try { // a body refused unread (Bodies.refusal) is refused here too, before any of it is read
        bytes = Bodies.readJson(body, maxBytes);
      } catch (RuntimeException e) {
        failed = e;
      }
    }

    @Override
    public String contentType() {
      return body.contentType();
    }

    @Override
    public long contentLength() {
      return body.contentLength();
    }

    @Override
    public InputStream stream() throws IOException {
      return body.stream();
    }

    @Override
    public byte[] readAhead() throws IOException {
      if (failed != null) {
        throw failed;
      }
      return bytes != null ? bytes : body.readAhead();
    }

    @Override
    public long arrivedNanos() {
      return body.arrivedNanos();
    }
  }

  /**
   * {@link #inferV2} in two steps, for a caller that reads the body itself without holding a
   * thread: admission now (unknown model, not ready and shed are answered before any of the body is
   * read), the inference later with {@link Admission#run}.
   */
  Admission admitV2(String model, String version, RequestBody body, String path) {
    try {
      ServedModel m = find(model, version);
      return admit(
          m,
          "v2",
          body,
          path,
          () -> predictor.inferV2(m, Bodies.readJson(body, maxBodyBytes)),
          a -> answeredV2(m, a, path));
    } catch (ApiException e) {
      return new Admission(Answer.error(e, false));
    } catch (RuntimeException e) {
      ErrorResponses.unexpected("POST", path, e);
      return new Admission(Answer.internalError(false));
    }
  }

  /** {@link #predictV1} in two steps, as {@link #admitV2}. */
  Admission admitV1(String model, RequestBody body, String path) {
    try {
      ServedModel m = find(model, null);
      return admit(m, "v1", body, path, () -> v1.predict(m, body, maxBodyBytes), a -> a);
    } catch (ApiException e) {
      return new Admission(Answer.error(e, false));
    } catch (RuntimeException e) {
      ErrorResponses.unexpected("POST", path, e);
      return new Admission(Answer.internalError(false));
    }
  }

  /** The request body limit ({@code server.maxRequestBytes}). */
  long maxBodyBytes() {
    return maxBodyBytes;
  }

  private Answer answeredV2(ServedModel m, Answer a, String path) {
    if (a.status() == 200) {
      try {
        listener.answeredV2(m, a.body());
      } catch (RuntimeException e) {
        ErrorResponses.unexpected("POST", path, e);
        return Answer.internalError(a.close());
      }
    }
    return a;
  }

  /** Work on one inference request, giving the answer body. */
  @FunctionalInterface
  interface Work {
    byte[] run();
  }

  /**
   * Admits an inference request with its bookkeeping: readiness, then a fast 503 when the model is
   * already at its in-flight bound (no body is read). An admitted request counts for draining at
   * once, but takes its in-flight place only in {@link Admission#run}, once its body has arrived:
   * the bound ({@code maxInflight}) and the gauge count requests being decoded, queued or run, not
   * uploads, so clients slow to send cannot take every place and get everyone else shed.
   */
  private Admission admit(
      ServedModel m,
      String protocol,
      RequestBody body,
      String path,
      Work work,
      UnaryOperator<Answer> after) {
    if (!m.ready()) {
      throw ApiException.unavailable("model '" + m.name() + "' is not ready");
    }
    long t0 = body.arrivedNanos();
    lifecycle.enter(); // also a request seen, for the drain's quiet time
    int bound = maxInflight.getAsInt();
    if (m.meters().inflight().get() >= bound) {
      // Shed at once: a fast 503 lets the client (or the router) go elsewhere, where queueing
      // would only make every request late.
      return shed(m, protocol, t0, bound);
    }
    if (adaptive.getAsBoolean()) {
      AdaptiveInflightLimit limit = limit(m, bound);
      if (limit.full()) {
        return shed(m, protocol, t0, limit.limit());
      }
    }
    return new Admission(null, m, protocol, t0, path, work, after);
  }

  /** The 503 of a model at its bound, counted as shed. */
  private Admission shed(ServedModel m, String protocol, long t0, int bound) {
    lifecycle.leave();
    m.meters().rejected("overload");
    m.meters().request(protocol, 503, Outcome.SHED, System.nanoTime() - t0);
    return shed(m.name(), bound);
  }

  private void release(ServedModel m, String protocol, long t0, int status, Outcome outcome) {
    m.meters().inflight().decrementAndGet();
    lifecycle.leave();
    m.meters().request(protocol, status, outcome, System.nanoTime() - t0);
  }

  /**
   * An inference request answered at admission, or admitted (counted for draining) and run by
   * {@link #run}: the in-flight place (or a 503 if the model is full by then), the work (decoding
   * the body included; both callers have the body in full by then: the fast path reads it without a
   * thread, the Javalin routes before {@link #run}), {@code Connection: close} once the server
   * drains, and the request metrics by outcome, timed from the request's arrival.
   */
  final class Admission {
    private final Answer refused;
    private final ServedModel m;
    private final String protocol;
    private final long t0;
    private final String path;
    private final Work work;
    private final UnaryOperator<Answer> after;
    private boolean ran;

    private Admission(Answer refused) {
      this(refused, null, null, 0, null, null, null);
    }

    private Admission(
        Answer refused,
        ServedModel m,
        String protocol,
        long t0,
        String path,
        Work work,
        UnaryOperator<Answer> after) {
      this.refused = refused;
      this.m = m;
      this.protocol = protocol;
      this.t0 = t0;
      this.path = path;
      this.work = work;
      this.after = after;
    }

    /** False when the answer is already decided (shed, unknown model, not ready...). */
    boolean admitted() {
      return refused == null;
    }

    /**
     * Takes the request's in-flight place, runs the work and gives the place back; answers what the
     * client gets, failures included. Called once (a second call is a bug in the caller).
     */
    Answer run() {
      if (refused != null) {
        return refused;
      }
      if (ran) {
        throw new IllegalStateException("an admitted request ran twice");
      }
      ran = true;
      // The in-flight place, taken now that the body has arrived (the fast path reads it first):
      // if the model filled up meanwhile, this one is shed after all.
      int bound = maxInflight.getAsInt();
      if (m.meters().inflight().incrementAndGet() > bound) {
        m.meters().inflight().decrementAndGet();
        return shed(m, protocol, t0, bound).refused;
      }
      Limiter.Listener place = null;
      if (adaptive.getAsBoolean()) {
        AdaptiveInflightLimit limit = limit(m, bound);
        Optional<Limiter.Listener> l = limit.acquire();
        if (l.isEmpty()) {
          m.meters().inflight().decrementAndGet();
          return shed(m, protocol, t0, limit.limit()).refused;
        }
        place = l.get();
      }
      int status = 500;
      boolean close = false;
      Answer answer;
      try {
        close = lifecycle.closeConnections();
        answer = Answer.ok(work.run(), close);
        status = 200;
      } catch (ApiException e) {
        status = e.status();
        return Answer.error(e, close);
      } catch (RuntimeException e) {
        ErrorResponses.unexpected("POST", path, e);
        return Answer.internalError(close);
      } finally {
        release(m, protocol, t0, status, Outcome.of(status));
        if (place != null) {
          // only answers' latency moves the limit: a 4xx was cut short, a 5xx is a fault
          if (status == 200) {
            place.onSuccess();
          } else {
            place.onIgnore();
          }
        }
      }
      return after.apply(answer);
    }
  }

  /** A model's 503 when shed at a given bound. */
  private record Shed(int bound, Admission admission) {}

  /**
   * The 503 of a model shed at {@code bound}, built once per model and bound: under overload most
   * answers are this one, and building it each time (message, exception, a JSON generator) was most
   * of what the shed path itself allocated. The answer's bytes are only read, never changed.
   */
  private Admission shed(String model, int bound) {
    Shed s = shed.get(model);
    if (s == null || s.bound() != bound) {
      ApiException e =
          new ApiException(
              503,
              "model '" + model + "' is overloaded (" + bound + " requests in flight); retry",
              1);
      s = new Shed(bound, new Admission(Answer.error(e, false)));
      shed.put(model, s); // names come from the served models only: the map stays that small
    }
    return s.admission();
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
