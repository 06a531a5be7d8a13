package dev.starling.runtime.pipeline;

import dev.starling.runtime.config.BatchingConfig;
import dev.starling.runtime.metrics.ModelMeters;
import dev.starling.runtime.model.Datatype;
import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.model.TensorSpec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Dynamic batching without a batching thread (leader/followers). A request joins the model's queue;
 * whichever request thread gets an inference permit from the {@link InferenceGate} becomes the
 * leader: it takes the queued requests (up to {@code maxBatchSize} rows), stacks compatible ones
 * along the first dimension, runs them as one ONNX Runtime call and hands every follower its rows.
 * When the server is idle a request leads itself at once, so batching adds no latency; under load
 * the queue that forms while permits are busy becomes the next batch.
 *
 * <p>{@code maxDelay}: a leader whose batch is not full waits up to {@code maxDelay} after the
 * oldest request it holds arrived, but only while more requests of this model are being read or
 * decoded (company is on its way), so a lone request is never held back.
 *
 * <p>Worked example, maxBatchSize 8: requests A..E arrive while both permits are busy. A permit is
 * released, A's thread takes it, drains A..E (5 rows), runs one [5, 64] inference, and gives B..E
 * their rows 1..4 of each output; B..E wake up and encode their answers.
 *
 * <p>Leaders of one model at once ("spill-over"): a request may lead while no other does, and a
 * further one only while more rows are queued than the running leaders will take in their next
 * batches ({@code max} rows each). With two permits and two leaders, a moderate queue was split
 * into batches of ~1.7 rows on the sample MLP; with one leader the other core does the HTTP and
 * JSON work that fills the next batch (~6-7 rows per call, +36-40 % req/s in session 7's quiet
 * A/B). A queue deeper than the leaders take still gets a leader per permit, and so does a
 * compute-bound batched model (a full batch still costs {@link #COMPUTE_BOUND_ROW_NANOS} or more
 * per row in the load-time sizing: one core could not keep up with it). Worked example, max 16, one
 * leader running: 12 rows queued -> nobody else leads (they all fit in that leader's next batch, so
 * each waits at most for the running call); 17 rows queued -> a second request leads and takes the
 * first 16.
 *
 * <p>No request is left in the queue: a request enqueues itself before it checks the leaders, and a
 * leader gives its place back before it looks at the queue and wakes the oldest request; either the
 * request sees the place free, or the leader sees the request.
 */
public final class Batcher {
  /**
   * How long the oldest queued request waits before it tries for a permit again: a leader wakes it
   * when it leaves, but a permit freed by another model's unbatched call wakes nobody.
   */
  private static final long HEAD_PARK_NANOS = 200_000;

  /**
   * How long any other queued request waits before it looks again: it is woken when its rows are
   * done, or when it becomes the oldest and a leader leaves, so this is only a safety net. (With
   * every follower waking each 200 µs, the MLP at 32 connections spent ~10 % of the server's CPU in
   * those wake-ups: async-profiler, busy machine.)
   */
  private static final long FOLLOWER_PARK_NANOS = 5_000_000;

  /**
   * A batched model whose full batches still cost this much per row is compute-bound: one leader's
   * core could not keep up with the rows the other cores' HTTP and JSON work delivers (a request
   * costs the server about 50 µs outside ONNX Runtime: iris over HTTP, session 7), so every permit
   * may lead.
   */
  static final long COMPUTE_BOUND_ROW_NANOS = 50_000;

  private final InferenceGate gate;
  private final AtomicInteger leaders = new AtomicInteger();
  private final AtomicInteger queuedRows = new AtomicInteger();
  private volatile BatchingConfig config;
  private final ModelMeters meters;
  private final Runner runner;
  private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
  private final GatePolicy gatePolicy = new GatePolicy();
  private volatile Trace trace = Trace.NONE;
  private volatile long headParkNanos = HEAD_PARK_NANOS;
  private volatile long followerParkNanos = FOLLOWER_PARK_NANOS;

  /** What a leader did, for tests that check the waiting rules from recorded times. */
  public interface Trace {
    Trace NONE = (oldestEnqueued, deadline, lastWaitStart, jobs, rows) -> {};

    /**
     * One batch: when its oldest request arrived, the leader's deadline for waiting for company,
     * when the leader last started to wait (0 if it never waited), and its size.
     */
    void batch(long oldestEnqueued, long deadline, long lastWaitStart, int jobs, int rows);

    /**
     * A leader place was given back and the queue not yet looked at (for a test that enqueues a
     * request exactly then).
     */
    default void placeGivenBack() {}
  }

  public void trace(Trace t) {
    this.trace = t == null ? Trace.NONE : t;
  }

  /**
   * For tests: how long a queued request parks before it looks again by itself. Set long, a lost
   * wake-up shows as a request that does not finish instead of one that is only late.
   */
  void parkNanos(long head, long follower) {
    this.headParkNanos = head;
    this.followerParkNanos = follower;
  }

  /** The settings in force. */
  public BatchingConfig config() {
    return config;
  }

  /**
   * New settings from a reloaded config, in place: they apply from the next batch a leader forms.
   * Requests already queued are still led and answered (turned off, a leader takes one per call).
   */
  public void reconfigure(BatchingConfig next) {
    this.config = next;
  }

  public Batcher(InferenceGate gate, BatchingConfig config, ModelMeters meters, Runner runner) {
    this.gate = gate;
    this.config = config;
    this.meters = meters;
    this.runner = runner;
  }

  /** One request's share of a batch. */
  static final class Job {
    final OnnxModel model;
    final List<InferInput> inputs;
    final Set<String> outputs;
    final int rows;
    final long enqueued = System.nanoTime();
    final Thread owner = Thread.currentThread();
    volatile List<OutputTensor> result;
    volatile RuntimeException error;
    volatile boolean done;

    Job(OnnxModel model, List<InferInput> inputs, Set<String> outputs) {
      this.model = model;
      this.inputs = inputs;
      this.outputs = outputs;
      this.rows = (int) inputs.get(0).shape()[0];
    }

    /** Jobs batch together when they use the same session, outputs and row shapes. */
    boolean compatible(Job o) {
      if (model != o.model
          || !Objects.equals(outputs, o.outputs)
          || inputs.size() != o.inputs.size()) {
        return false;
      }
      Map<String, long[]> shapes = new HashMap<>();
      for (InferInput in : inputs) {
        shapes.put(in.name(), in.shape());
      }
      for (InferInput in : o.inputs) {
        long[] mine = shapes.get(in.name());
        if (mine == null
            || !Arrays.equals(mine, 1, mine.length, in.shape(), 1, in.shape().length)) {
          return false;
        }
      }
      return true;
    }

    void finish(List<OutputTensor> r, RuntimeException e) {
      result = r;
      error = e;
      done = true;
      if (owner != Thread.currentThread()) {
        LockSupport.unpark(owner);
      }
    }
  }

  /** A request's rows: the first input's first dimension (1 for a scalar or an empty shape). */
  private static long rows(List<InferInput> inputs) {
    long[] shape = inputs.isEmpty() ? null : inputs.get(0).shape();
    return shape == null || shape.length == 0 ? 1 : Math.max(1, shape[0]);
  }

  /** Whether a model's requests can be stacked: every input and output has a free first dim. */
  public static boolean batchable(OnnxModel model) {
    for (TensorSpec t : model.signature().inputs()) {
      if (!t.batchable()) {
        return false;
      }
    }
    for (TensorSpec t : model.signature().outputs()) {
      if (!t.batchable()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs a request, batched with others when that is on and possible; blocks until its outputs are
   * ready. Unbatched, a call waits for the {@link InferenceGate} unless the model's calls are short
   * enough that the wait would cost more than it saves ({@link GatePolicy}).
   */
  public List<OutputTensor> infer(OnnxModel model, List<InferInput> inputs, Set<String> outputs) {
    BatchingConfig config = this.config;
    if (!config.enabled() || model.maxBatchRows() <= 1 || inputs.isEmpty() || !batchable(model)) {
      return unbatched(model, inputs, outputs);
    }
    if (config.opportunistic()
        && !gatePolicy.gated(rows(inputs), GatePolicy.BATCHING_UNGATED_BELOW_NANOS)) {
      return ungated(model, inputs, outputs); // too short to wait for a permit, so no queue to join
    }
    return batched(model, inputs, outputs);
  }

  private List<OutputTensor> ungated(
      OnnxModel model, List<InferInput> inputs, Set<String> outputs) {
    meters.queued(0);
    meters.batch(1);
    return runner.run(model, inputs, outputs);
  }

  /** One call per request, through the gate unless the model's calls are short. */
  private List<OutputTensor> unbatched(
      OnnxModel model, List<InferInput> inputs, Set<String> outputs) {
    long rows = rows(inputs);
    if (!gatePolicy.gated(rows)) {
      return ungated(model, inputs, outputs);
    }
    long t0 = System.nanoTime();
    if (gatePolicy.estimatedLong(rows)) {
      long[] started = new long[1];
      long[] took = new long[1];
      List<OutputTensor> result =
          gate.runLong(
              () -> {
                started[0] = System.nanoTime();
                return timed(model, inputs, outputs, took);
              });
      meters.queued(started[0] - t0);
      meters.batch(1);
      gatePolicy.ranGated(took[0], rows);
      return result;
    }
    gate.enter();
    try {
      long t1 = System.nanoTime();
      meters.queued(t1 - t0);
      meters.batch(1);
      long[] took = new long[1];
      List<OutputTensor> result = call(model, inputs, outputs, rows, took);
      gatePolicy.ranGated(took[0], rows);
      return result;
    } finally {
      gate.leave();
    }
  }

  /** Joins the model's queue; led by whichever waiting request gets a permit. */
  private List<OutputTensor> batched(
      OnnxModel model, List<InferInput> inputs, Set<String> outputs) {
    Job job = new Job(model, inputs, outputs);
    int max = batchRows(config, model);
    boolean computeBound = computeBound(model, max);
    queuedRows.addAndGet(job.rows);
    queue.add(job);
    while (!job.done) {
      if (takeLeaderPlace(max, computeBound)) {
        // the oldest request waits in the gate's line for a while; another tries and parks
        boolean entered = gate.tryEnter() || (queue.peek() == job && gate.tryEnter(headParkNanos));
        try {
          if (entered) {
            lead();
          }
        } finally {
          if (entered) {
            gate.leave();
          }
          leaveLeaderPlace(job);
        }
        if (entered) {
          continue;
        }
      }
      if (!job.done) {
        LockSupport.parkNanos(this, queue.peek() == job ? headParkNanos : followerParkNanos);
      }
    }
    if (job.error != null) {
      throw job.error;
    }
    return job.result;
  }

  /** Rows one batch of this model may hold: {@code maxBatchSize} capped by the measured gain. */
  private static int batchRows(BatchingConfig config, OnnxModel model) {
    return Math.max(1, Math.min(config.maxBatchSize(), model.maxBatchRows()));
  }

  /** Whether full batches of this model still cost {@link #COMPUTE_BOUND_ROW_NANOS} per row. */
  private static boolean computeBound(OnnxModel model, int max) {
    BatchSizing.Decision d = model.batchSizing();
    return d != null && d.nanosPerRowAt(max) >= COMPUTE_BOUND_ROW_NANOS;
  }

  private boolean takeLeaderPlace(int max, boolean computeBound) {
    int n;
    do {
      n = leaders.get();
      if (!mayLead(n, queuedRows.get(), max, computeBound)) {
        return false;
      }
    } while (!leaders.compareAndSet(n, n + 1));
    return true;
  }

  /**
   * Whether one more request may lead a batch of this model: always when none leads or the model is
   * compute-bound, else only while more rows are queued than the running leaders take in their next
   * batches ({@code max} each). See the class comment for why.
   */
  static boolean mayLead(int leading, int queuedRows, int max, boolean computeBound) {
    return leading == 0 || computeBound || queuedRows > (long) leading * max;
  }

  /**
   * Gives a leader place back and wakes the oldest queued request: it may lead now. Every place
   * given back wakes it (also one taken for a moment without getting a permit), so a request that
   * found the places taken and parked is never left behind by a leader that has just gone. (Not
   * itself: it looks again at once after leading, or parks as the head after a missed permit.)
   */
  private void leaveLeaderPlace(Job self) {
    leaders.decrementAndGet();
    trace.placeGivenBack();
    Job next = queue.peek();
    if (next != null && next != self) {
      LockSupport.unpark(next.owner);
    }
  }

  /** Takes queued jobs, runs them in batches of compatible ones, and hands out the rows. */
  private void lead() {
    BatchingConfig config = this.config; // one batch, one set of settings
    Job head = queue.peek();
    if (head == null) {
      return;
    }
    // the measured cap of the session the oldest request runs on (see BatchSizing)
    int max = batchRows(config, head.model);
    List<Job> taken = new ArrayList<>();
    int rows = drain(taken, 0, max);
    if (taken.isEmpty()) {
      return;
    }
    Job next = queue.peek();
    if (next != null
        && mayLead(leaders.get(), queuedRows.get(), max, computeBound(head.model, max))) {
      LockSupport.unpark(next.owner); // more queued than the leaders take: another core may help
    }
    long deadline = taken.get(0).enqueued + config.maxDelay().toNanos();
    long lastWait = 0;
    long now;
    while (rows < max
        && (now = System.nanoTime()) < deadline
        && meters.inflight().get() > taken.size() + queue.size()) {
      lastWait = now;
      LockSupport.parkNanos(Math.min(20_000, deadline - now));
      rows = drain(taken, rows, max);
    }
    trace.batch(taken.get(0).enqueued, deadline, lastWait, taken.size(), rows);
    while (!taken.isEmpty()) {
      Job first = taken.remove(0);
      List<Job> batch = new ArrayList<>();
      batch.add(first);
      taken.removeIf(j -> first.compatible(j) && batch.add(j));
      run(batch);
    }
  }

  private int drain(List<Job> into, int rows, int maxBatchSize) {
    Job j;
    while (rows < maxBatchSize && (j = queue.poll()) != null) {
      queuedRows.addAndGet(-j.rows);
      into.add(j);
      rows += j.rows;
    }
    return rows;
  }

  private void run(List<Job> batch) {
    long now = System.nanoTime();
    for (Job j : batch) {
      meters.queued(now - j.enqueued);
    }
    Job first = batch.get(0);
    int total = 0;
    for (Job j : batch) {
      total += j.rows;
    }
    meters.batch(total);
    DirectArena arena = DirectArena.local();
    try {
      List<InferInput> merged = batch.size() == 1 ? first.inputs : stack(batch, total, arena);
      long[] took = new long[1];
      List<OutputTensor> outs = call(first.model, merged, first.outputs, total, took);
      if (batch.size() == 1) {
        // a request's own call: what the gate policy estimates (a merged call's time per row
        // would make a long model look short and stop the queueing that merges it)
        gatePolicy.ranGated(took[0], first.rows);
      }
      int row = 0;
      for (Job j : batch) {
        List<OutputTensor> mine = new ArrayList<>(outs.size());
        for (OutputTensor o : outs) {
          if (o.shape().length == 0 || o.shape()[0] != total) {
            throw new IllegalStateException(
                "output '"
                    + o.name()
                    + "' has shape "
                    + Arrays.toString(o.shape())
                    + ", not "
                    + total
                    + " rows");
          }
          mine.add(batch.size() == 1 ? o : o.rows(row, j.rows));
        }
        row += j.rows;
        j.finish(mine, null);
      }
    } catch (RuntimeException e) {
      for (Job j : batch) {
        if (!j.done) {
          j.finish(null, e);
        }
      }
    }
  }

  /**
   * One call of {@code rows} rows under a permit the caller holds; {@code took[0]} gets the call's
   * own time. A call estimated long runs where the gate runs inferences; a short model's sampled
   * calls run on the request's thread ({@link GatePolicy#estimatedLong}), since with {@code
   * inference.niceness} the hand-off to a lowered thread costs more than the call and waits for a
   * core under load. Timed where it runs, not around the hand-off: with {@code inference.niceness}
   * the wait for a lowered thread to be scheduled is not the model's cost, and counting it made
   * iris (~15 µs a call) look long enough to gate, so every iris call paid the hand-off (busy
   * machine: 7,100 vs 13,700 req/s).
   */
  private List<OutputTensor> call(
      OnnxModel model, List<InferInput> inputs, Set<String> outputs, long rows, long[] took) {
    if (!gatePolicy.estimatedLong(rows)) {
      return timed(model, inputs, outputs, took);
    }
    return gate.call(() -> timed(model, inputs, outputs, took));
  }

  /** One call on this thread; {@code took[0]} gets its time. */
  private List<OutputTensor> timed(
      OnnxModel model, List<InferInput> inputs, Set<String> outputs, long[] took) {
    long t0 = System.nanoTime();
    try {
      return runner.run(model, inputs, outputs);
    } finally {
      took[0] = System.nanoTime() - t0;
    }
  }

  /** Concatenates each input of the batch's jobs along the first dimension. */
  private static List<InferInput> stack(List<Job> batch, int total, DirectArena arena) {
    List<InferInput> merged = new ArrayList<>();
    for (InferInput in : batch.get(0).inputs) {
      long[] shape = in.shape().clone();
      shape[0] = total;
      int count = 0;
      for (Job j : batch) {
        count += find(j, in.name()).data().count();
      }
      TensorData data;
      if (in.datatype() == Datatype.BYTES) {
        String[] all = new String[count];
        int at = 0;
        for (Job j : batch) {
          String[] s = find(j, in.name()).data().strings();
          System.arraycopy(s, 0, all, at, s.length);
          at += s.length;
        }
        data = TensorData.ofStrings(all, count);
      } else {
        ByteBuffer buf = arena.allocate((long) count * in.datatype().size());
        int at = 0;
        for (Job j : batch) {
          ByteBuffer b = find(j, in.name()).data().buffer();
          buf.put(at, b, 0, b.limit());
          at += b.limit();
        }
        data = TensorData.ofBuffer(in.datatype(), count, buf);
      }
      merged.add(new InferInput(in.name(), in.datatype(), shape, data));
    }
    return merged;
  }

  private static InferInput find(Job j, String name) {
    for (InferInput in : j.inputs) {
      if (in.name().equals(name)) {
        return in;
      }
    }
    throw new IllegalStateException("input " + name + " missing from a batched request");
  }

  /** One ONNX Runtime call (the caller holds a permit); outputs copied out of the native result. */
  @FunctionalInterface
  public interface Runner {
    List<OutputTensor> run(OnnxModel model, List<InferInput> inputs, Set<String> outputs);
  }
}
