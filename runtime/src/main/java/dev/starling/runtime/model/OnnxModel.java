package dev.starling.runtime.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.starling.runtime.pipeline.BatchSizing;
import dev.starling.runtime.pipeline.InferenceThreads;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One loaded ONNX Runtime session with the signature read from the model itself. */
public final class OnnxModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxModel.class);

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelSignature signature;
  private final String sha256;
  private final Set<String> allOutputs = new LinkedHashSet<>();

  /**
   * Run options for a large call: ONNX Runtime's CPU arena keeps every chunk it ever grew to, so
   * one maximum-size batch (the MLP's hidden layers of 65,536 rows need ~400 MiB) would stay
   * resident for the life of the session; these give unused chunks back when the call ends.
   */
  private final OrtSession.RunOptions shrinkArena;

  /** Requests using this session; -1 once closed. See {@link #retain()}. */
  private final AtomicInteger users = new AtomicInteger();

  private volatile boolean retired;

  private volatile BatchSizing.Decision batchSizing;

  private final CallSlots slots;

  private OnnxModel(
      OrtEnvironment env, OrtSession session, ModelSignature signature, String sha256) {
    this.env = env;
    this.session = session;
    this.signature = signature;
    this.sha256 = sha256;
    this.shrinkArena = shrinkingRunOptions();
    this.slots = new CallSlots(env, signature);
    signature.outputs().forEach(t -> allOutputs.add(t.name()));
  }

  /** Opens {@code file} in ONNX Runtime with {@code intraOpThreads} threads per inference. */
  public static OnnxModel load(Path file, String sha256, int intraOpThreads) {
    return load(file, sha256, intraOpThreads, 0);
  }

  /**
   * As {@link #load(Path, String, int)}; with more than one intra-op thread and {@code niceness}
   * above 0, the session is created on a thread lowered by {@code niceness}, so the threads ONNX
   * Runtime starts for it inherit that nice value (see {@link InferenceThreads}).
   */
  public static OnnxModel load(Path file, String sha256, int intraOpThreads, int niceness) {
    if (intraOpThreads > 1 && niceness > 0) {
      return InferenceThreads.onLoweredThread(niceness, () -> create(file, sha256, intraOpThreads))
          .value();
    }
    return create(file, sha256, intraOpThreads);
  }

  private static OnnxModel create(Path file, String sha256, int intraOpThreads) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = null;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // Spinning threads burn the cores the HTTP side needs; requests are short anyway.
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      session = env.createSession(file.toString(), options);
      return new OnnxModel(env, session, readSignature(session), sha256);
    } catch (OrtException e) {
      closeQuietly(session);
      throw new ModelLoadException("ONNX Runtime cannot load " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(session);
      throw e;
    }
  }

  public ModelSignature signature() {
    return signature;
  }

  public String sha256() {
    return sha256;
  }

  public OrtEnvironment environment() {
    return env;
  }

  /** Runs the model; {@code outputs} null means every output. The caller closes the result. */
  public OrtSession.Result run(Map<String, OnnxTensor> inputs, Set<String> outputs)
      throws OrtException {
    return run(inputs, outputs, false);
  }

  /**
   * Reusable tensors for a call of {@code rows} rows (see {@link CallSlot}), or null when this call
   * cannot use them; the caller gives it back with {@link #giveBack} once it read the outputs.
   */
  public CallSlot borrowSlot(long rows) {
    return slots.borrow(rows);
  }

  public void giveBack(CallSlot slot) {
    slots.giveBack(slot);
  }

  /**
   * Runs the model on the slot's inputs; ONNX Runtime writes the {@code outputs} (null: all) into
   * the slot's output buffers.
   */
  public void run(CallSlot slot, Set<String> outputs) throws OrtException {
    // the result holds only the slot's own tensors, which closing it leaves open
    session.run(slot.inputTensors(), Set.of(), slot.outputTensors(outputs)).close();
  }

  /** Stops using reusable tensors for this session (see {@link CallSlots#disable}). */
  public void disableSlots(String why) {
    slots.disable(why);
  }

  /** Whether calls may still use reusable tensors (false once {@link #disableSlots} ran). */
  public boolean slotsEnabled() {
    return slots.enabled();
  }

  /** Idle reusable tensor sets kept for {@code rows}-row calls (for tests). */
  public int idleSlots(int rows) {
    return slots.idle(rows);
  }

  /**
   * Runs the model; with {@code large}, memory ONNX Runtime's arena grew for this call is given
   * back when it ends instead of being kept for the next one (all of it only after {@link
   * #releaseArena()}, once the outputs are closed).
   */
  public OrtSession.Result run(Map<String, OnnxTensor> inputs, Set<String> outputs, boolean large)
      throws OrtException {
    Set<String> wanted = outputs == null ? allOutputs : outputs;
    return large ? session.run(inputs, wanted, shrinkArena) : session.run(inputs, wanted);
  }

  /**
   * Gives back the arena memory a large call grew, once its outputs are closed. The shrink at the
   * end of the large call itself cannot free the region its outputs live in, because the caller is
   * still reading them then (mlp, one 65,536-row call: 138 MiB stayed resident for good); a one-row
   * call on zeros with the same shrink option, after the outputs are closed, frees that region too
   * (0 MiB stayed). Costs one small inference per large call.
   */
  public void releaseArena() {
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      zeros(inputs, 1);
      try (OrtSession.Result r = session.run(inputs, allOutputs, shrinkArena)) {
        LOG.debug("arena shrink call produced {} outputs", r.size());
      }
    } catch (OrtException | ArithmeticException e) {
      // the request it follows was answered; only the memory stays until the next large call
      LOG.warn("could not shrink ONNX Runtime's arena after a large call: {}", e.getMessage());
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private static OrtSession.RunOptions shrinkingRunOptions() {
    try {
      OrtSession.RunOptions options = new OrtSession.RunOptions();
      options.addRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
      return options;
    } catch (OrtException e) {
      throw new ModelLoadException("ONNX Runtime refused its run options: " + e.getMessage(), e);
    }
  }

  /**
   * One inference on zeros (free dims set to 1), so the first client does not pay for lazy setup.
   */
  public void warmUp() {
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      zeros(inputs, 1);
      try (OrtSession.Result r = run(inputs, null)) {
        LOG.debug("warm-up produced {} outputs", r.size());
      }
    } catch (OrtException | ArithmeticException e) {
      throw new ModelLoadException("warm-up inference failed: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /** Timed calls per size: the best of these is taken, after one untimed call. */
  private static final int TIMED_CALLS = 5;

  /**
   * Nanoseconds one call on {@code rows} rows of zeros takes (first dim {@code rows}, other free
   * dims 1): the best of a few runs, so a busy neighbour inflates it as little as possible. For
   * {@link dev.starling.runtime.pipeline.BatchSizing}; only for models whose first dim is free.
   */
  public long timeCall(int rows) {
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      zeros(inputs, rows);
      long best = Long.MAX_VALUE;
      for (int i = 0; i <= TIMED_CALLS; i++) {
        long t0 = System.nanoTime();
        try (OrtSession.Result r = run(inputs, null)) {
          long t = System.nanoTime() - t0;
          if (i > 0) {
            best = Math.min(best, t);
          }
        }
      }
      return best;
    } catch (OrtException | ArithmeticException e) {
      throw new ModelLoadException("timing a " + rows + "-row call failed: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /**
   * Fills {@code into} with zero tensors for every input: first free dim {@code rows}, others 1.
   */
  private void zeros(Map<String, OnnxTensor> into, long rows) throws OrtException {
    for (TensorSpec in : signature.inputs()) {
      long[] shape = in.shape().clone();
      for (int d = 0; d < shape.length; d++) {
        if (shape[d] < 0) {
          shape[d] = d == 0 ? rows : 1;
        }
      }
      long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
      OnnxTensor t;
      if (in.datatype() == Datatype.BYTES) {
        String[] s = new String[Math.toIntExact(n)];
        Arrays.fill(s, "");
        t = OnnxTensor.createTensor(env, s, shape);
      } else {
        ByteBuffer zeros =
            ByteBuffer.allocateDirect(Math.toIntExact(n * in.datatype().size()))
                .order(ByteOrder.nativeOrder());
        t = OnnxTensor.createTensor(env, zeros, shape, in.datatype().javaType());
      }
      into.put(in.name(), t);
    }
  }

  /**
   * How many rows a batch of this session may hold, as measured (see {@link
   * dev.starling.runtime.pipeline.BatchSizing}); null until measured (then no cap applies).
   */
  public BatchSizing.Decision batchSizing() {
    return batchSizing;
  }

  public void batchSizing(BatchSizing.Decision decision) {
    this.batchSizing = decision;
  }

  /** The measured cap on rows per batch, or {@link BatchSizing#UNCAPPED} if not measured. */
  public int maxBatchRows() {
    BatchSizing.Decision d = batchSizing;
    return d == null ? BatchSizing.UNCAPPED : d.maxRows();
  }

  private static ModelSignature readSignature(OrtSession session) throws OrtException {
    List<TensorSpec> inputs = new ArrayList<>();
    for (NodeInfo node : session.getInputInfo().values()) {
      if (!(node.getInfo() instanceof TensorInfo ti)) {
        throw new ModelLoadException(
            "input '"
                + node.getName()
                + "' is not a tensor ("
                + node.getInfo()
                + "); not supported");
      }
      Datatype dt = Datatype.fromOnnx(ti.onnxType);
      if (dt == null || !dt.creatable()) {
        throw new ModelLoadException(
            "input '"
                + node.getName()
                + "' has element type "
                + ti.onnxType
                + ", which ONNX Runtime's Java API cannot create tensors of");
      }
      inputs.add(new TensorSpec(node.getName(), dt, ti.getShape(), ti.getDimensionNames()));
    }
    List<TensorSpec> outputs = new ArrayList<>();
    for (NodeInfo node : session.getOutputInfo().values()) {
      if (node.getInfo() instanceof TensorInfo ti && Datatype.fromOnnx(ti.onnxType) != null) {
        outputs.add(
            new TensorSpec(
                node.getName(),
                Datatype.fromOnnx(ti.onnxType),
                ti.getShape(),
                ti.getDimensionNames()));
      } else {
        LOG.warn(
            "output '{}' is not a plain tensor ({}); it is not served",
            node.getName(),
            node.getInfo());
      }
    }
    if (outputs.isEmpty()) {
      throw new ModelLoadException("the model has no tensor outputs to serve");
    }
    return new ModelSignature(inputs, outputs);
  }

  private static void closeQuietly(OrtSession s) {
    if (s != null) {
      try {
        s.close();
      } catch (OrtException ignored) {
        // already failing; the load error is what matters
      }
    }
  }

  /**
   * Marks the session as used by one more request; false if it was closed already (the caller then
   * reads the served model again). Pairs with {@link #release()}.
   */
  public boolean retain() {
    while (true) {
      int n = users.get();
      if (n < 0) {
        return false;
      }
      if (users.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  public void release() {
    if (users.decrementAndGet() == 0 && retired) {
      closeIfUnused();
    }
  }

  /** No new requests will come: close as soon as the last one in flight is done. */
  public void retire() {
    retired = true;
    closeIfUnused();
  }

  public boolean closed() {
    return users.get() < 0;
  }

  private void closeIfUnused() {
    if (users.compareAndSet(0, -1)) {
      closeQuietly(session);
      shrinkArena.close();
      slots.close();
      LOG.info("closed a retired ONNX Runtime session (sha256 {})", sha256);
    }
  }

  @Override
  public void close() {
    retire();
  }
}
