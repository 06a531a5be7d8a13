package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.BatchingConfig;
import dev.starling.runtime.metrics.ModelMeters;
import dev.starling.runtime.metrics.RuntimeMetrics;
import dev.starling.runtime.model.Datatype;
import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.testing.Samples;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The leader/followers batcher with a stand-in runner that echoes its input (so every request can
 * check it got its own rows back) and records the batches it was given. The model session is only
 * used for its signature (iris: [N,4] in, [N] and [N,3] out).
 */
class BatcherTest {
  private static OnnxModel iris;
  private static RuntimeMetrics metrics;

  @BeforeAll
  static void load() {
    iris = OnnxModel.load(Samples.model("iris"), "x", 1);
    metrics = new RuntimeMetrics();
  }

  @AfterAll
  static void close() {
    iris.close();
    metrics.close();
  }

  /** Echoes input rows as output "echo"; sleeps to let a queue form; records batch sizes. */
  static final class EchoRunner implements Batcher.Runner {
    final List<Integer> rowsPerCall = new CopyOnWriteArrayList<>();
    final long sleepNanos;
    final AtomicInteger running = new AtomicInteger();
    volatile int maxRunning;

    EchoRunner(long sleepNanos) {
      this.sleepNanos = sleepNanos;
    }

    @Override
    public List<OutputTensor> run(OnnxModel model, List<InferInput> inputs, Set<String> outputs) {
      int now = running.incrementAndGet();
      maxRunning = Math.max(maxRunning, now);
      try {
        InferInput in = inputs.get(0);
        rowsPerCall.add((int) in.shape()[0]);
        // parkNanos may return at once (a pending unpark of a pool thread, or spuriously); a call
        // shorter than asked makes the gate policy take the model for a short one and let it skip
        // the gate, which some tests here forbid
        long until = System.nanoTime() + sleepNanos;
        for (long left = sleepNanos; left > 0; left = until - System.nanoTime()) {
          java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
        ByteBuffer copy =
            ByteBuffer.allocate(in.data().buffer().limit()).order(ByteOrder.nativeOrder());
        copy.put(0, in.data().buffer(), 0, copy.limit());
        return List.of(new OutputTensor("echo", Datatype.FP32, in.shape().clone(), copy, null));
      } finally {
        running.decrementAndGet();
      }
    }
  }

  static List<InferInput> request(float[] values, int rows) {
    ByteBuffer b = DirectArena.local().allocate(values.length * 4L);
    for (int i = 0; i < values.length; i++) {
      b.putFloat(i * 4, values[i]);
    }
    return List.of(
        new InferInput(
            "float_input",
            Datatype.FP32,
            new long[] {rows, 4},
            TensorData.ofBuffer(Datatype.FP32, values.length, b)));
  }

  private static List<Throwable> hammer(
      Batcher batcher, ModelMeters meters, int threads, int perThread) throws Exception {
    return hammer(iris, batcher, meters, threads, perThread);
  }

  private static List<Throwable> hammer(
      OnnxModel model, Batcher batcher, ModelMeters meters, int threads, int perThread)
      throws Exception {
    return hammer(model, batcher, meters, threads, perThread, 0);
  }

  /**
   * {@code threads} threads each send {@code perThread} requests of {@code rows} rows (0: 1 to 3 at
   * random) and check every answer is their own input; returns what failed.
   */
  static List<Throwable> hammer(
      OnnxModel model,
      Batcher batcher,
      ModelMeters meters,
      int threads,
      int perThread,
      int fixedRows)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      fs.add(
          pool.submit(
              () -> {
                for (int i = 0; i < perThread; i++) {
                  int rows = fixedRows > 0 ? fixedRows : 1 + ThreadLocalRandom.current().nextInt(3);
                  float[] v = new float[rows * 4];
                  for (int k = 0; k < v.length; k++) {
                    v[k] = ThreadLocalRandom.current().nextFloat();
                  }
                  meters.inflight().incrementAndGet();
                  try {
                    List<OutputTensor> out = batcher.infer(model, request(v, rows), null);
                    OutputTensor echo = out.get(0);
                    assertThat(echo.shape()).containsExactly(rows, 4);
                    for (int k = 0; k < v.length; k++) {
                      assertThat(echo.data().getFloat(k * 4)).isEqualTo(v[k]);
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  } finally {
                    meters.inflight().decrementAndGet();
                    DirectArena.local().reset();
                  }
                }
              }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
    return failures;
  }

  @Test
  void everyRequestGetsExactlyItsOwnRowsBack() throws Exception {
    ModelMeters meters = metrics.model("echo-a", "1");
    EchoRunner runner = new EchoRunner(200_000);
    Batcher b =
        new Batcher(
            new InferenceGate(2), new BatchingConfig(16, Duration.ofMillis(1)), meters, runner);
    assertThat(hammer(b, meters, 12, 150)).isEmpty();
    assertThat(runner.rowsPerCall.stream().mapToInt(Integer::intValue).sum())
        .as("every row ran exactly once")
        .isGreaterThanOrEqualTo(12 * 150);
  }

  @Test
  void aBusyModelFormsBatchesWithinMaxBatchSizeAndTheGate() throws Exception {
    ModelMeters meters = metrics.model("echo-b", "1");
    EchoRunner runner = new EchoRunner(2_000_000);
    Batcher b =
        new Batcher(new InferenceGate(2), new BatchingConfig(8, Duration.ZERO), meters, runner);
    assertThat(hammer(b, meters, 16, 40)).isEmpty();
    assertThat(runner.rowsPerCall.size()).as("calls").isLessThan(16 * 40);
    assertThat(runner.rowsPerCall).allSatisfy(r -> assertThat(r).isLessThanOrEqualTo(8 + 2));
    assertThat(runner.maxRunning)
        .as("never more calls at once than permits")
        .isLessThanOrEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void leadersNeverStartWaitingForCompanyAfterTheDeadline(int permits) throws Exception {
    ModelMeters meters = metrics.model("echo-c", "1");
    EchoRunner runner = new EchoRunner(100_000);
    Batcher b =
        new Batcher(
            new InferenceGate(permits),
            new BatchingConfig(32, Duration.ofMillis(2)),
            meters,
            runner);
    ConcurrentLinkedQueue<long[]> batches = new ConcurrentLinkedQueue<>();
    b.trace(
        (oldest, deadline, lastWait, jobs, rows) ->
            batches.add(new long[] {oldest, deadline, lastWait}));
    assertThat(hammer(b, meters, 8, 50)).isEmpty();
    assertThat(batches).isNotEmpty();
    for (long[] t : batches) {
      assertThat(t[1] - t[0]).isEqualTo(Duration.ofMillis(2).toNanos());
      if (t[2] != 0) {
        assertThat(t[2]).as("a wait began before the deadline").isLessThan(t[1]);
      }
    }
    assertThat(batches.stream().filter(t -> t[2] != 0))
        .as("some leaders waited for company")
        .isNotEmpty();
  }

  @Test
  void aLoneRequestIsNeverHeldBack() throws Exception {
    ModelMeters meters = metrics.model("echo-d", "1");
    Batcher b =
        new Batcher(
            new InferenceGate(2),
            new BatchingConfig(32, Duration.ofSeconds(1)),
            meters,
            new EchoRunner(0));
    List<long[]> batches = new CopyOnWriteArrayList<>();
    b.trace((oldest, deadline, lastWait, jobs, rows) -> batches.add(new long[] {lastWait, jobs}));
    meters.inflight().incrementAndGet();
    try {
      b.infer(iris, request(new float[] {1, 2, 3, 4}, 1), null);
    } finally {
      meters.inflight().decrementAndGet();
      DirectArena.local().reset();
    }
    assertThat(batches).hasSize(1);
    assertThat(batches.get(0)[0]).as("no company was coming, so no wait").isZero();
  }

  /**
   * A session whose measured per-row gain stops at 4 rows batches at most 4 (plus the last
   * request's other rows) though 32 are configured; one that measured no gain at all is not
   * batched.
   */
  @Test
  void theMeasuredCapBoundsBatchesAndACapOfOneTurnsBatchingOff() throws Exception {
    try (OnnxModel capped = OnnxModel.load(Samples.model("iris"), "x", 1)) {
      capped.batchSizing(new BatchSizing.Decision(4, List.of()));
      ModelMeters meters = metrics.model("echo-f", "1");
      EchoRunner runner = new EchoRunner(2_000_000);
      BatchingConfig thirtyTwo = new BatchingConfig(32, Duration.ZERO);
      Batcher b = new Batcher(new InferenceGate(2), thirtyTwo, meters, runner);
      assertThat(hammer(capped, b, meters, 16, 40)).isEmpty();
      assertThat(runner.rowsPerCall.size()).as("calls").isLessThan(16 * 40);
      assertThat(runner.rowsPerCall).allSatisfy(r -> assertThat(r).isLessThanOrEqualTo(4 + 2));

      capped.batchSizing(new BatchSizing.Decision(1, List.of()));
      ModelMeters offMeters = metrics.model("echo-g", "1");
      EchoRunner off = new EchoRunner(100_000);
      Batcher unbatched = new Batcher(new InferenceGate(2), thirtyTwo, offMeters, off);
      assertThat(hammer(capped, unbatched, offMeters, 8, 25)).isEmpty();
      assertThat(off.rowsPerCall).hasSize(8 * 25);
    }
  }

  /**
   * The gate policy times a gated call where it runs, not around the hand-off to an inference
   * thread: here each hand-off waits 2 ms before the call (as a lowered thread can wait to be
   * scheduled), the call itself takes microseconds, so after the first calls the model counts as
   * short and its calls run on the caller's thread (one in 32 is still gated, to keep the estimate
   * current). Timed around the hand-off, every call would look 2 ms long and all would be handed
   * off.
   */
  @Test
  void theWaitForAnInferenceThreadDoesNotMakeAShortModelLookLong() throws Exception {
    ModelMeters meters = metrics.model("echo-handoff", "1");
    java.util.concurrent.ThreadPoolExecutor slowHandOff =
        new java.util.concurrent.ThreadPoolExecutor(
            1,
            1,
            0,
            java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>()) {
          @Override
          protected void beforeExecute(Thread t, Runnable r) {
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
          }
        };
    try {
      List<Thread> callers = new CopyOnWriteArrayList<>();
      Batcher b = callerRecording(slowHandOff, meters, callers);
      // the first calls (a cold JIT can make them long) settle the estimate; then the last 50
      for (int i = 0; i < 200; i++) {
        b.infer(iris, request(new float[] {1, 2, 3, 4}, 1), null);
      }
      long onCaller =
          callers.subList(150, 200).stream().filter(t -> t == Thread.currentThread()).count();
      assertThat(onCaller)
          .as("of the last 50 calls, on the caller's thread")
          .isGreaterThanOrEqualTo(40);
    } finally {
      slowHandOff.shutdownNow();
    }
  }

  /**
   * A batcher with batching off and one permit whose gated calls are handed to {@code handOff}; its
   * runner echoes and records the thread of every call in {@code callers}.
   */
  private static Batcher callerRecording(
      java.util.concurrent.ThreadPoolExecutor handOff, ModelMeters meters, List<Thread> callers) {
    Batcher.Runner runner =
        (m, in, out) -> {
          callers.add(Thread.currentThread());
          return new EchoRunner(0).run(m, in, out);
        };
    return new Batcher(
        new InferenceGate(1, InferenceThreads.on(handOff)), BatchingConfig.off(), meters, runner);
  }

  /**
   * With inference threads (as with {@code inference.niceness}), a short model's sampled calls,
   * gated to keep its estimate current, still run on the caller's thread under the permit: handed
   * to a lowered thread they would pay the hand-off and wait for a core behind everything at nice
   * 0. Only calls estimated long (here: the first, before anything was measured) go there.
   */
  @Test
  void aShortModelsSampledCallsStayOnTheCallersThread() throws Exception {
    ModelMeters meters = metrics.model("echo-sampled", "1");
    java.util.concurrent.ThreadPoolExecutor pool =
        new java.util.concurrent.ThreadPoolExecutor(
            1,
            1,
            0,
            java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>());
    try {
      List<Thread> callers = new CopyOnWriteArrayList<>();
      Batcher b = callerRecording(pool, meters, callers);
      for (int i = 0; i < 420; i++) {
        b.infer(iris, request(new float[] {1, 2, 3, 4}, 1), null);
      }
      assertThat(callers.get(0))
          .as("the first call, not yet measured")
          .isNotEqualTo(Thread.currentThread());
      // after the first calls settled the estimate (a cold JIT can make them long): 320 calls,
      // 10 of them sampled through the gate, none handed off
      assertThat(callers.subList(100, 420)).allMatch(t -> t == Thread.currentThread());
      assertThat(pool.getCompletedTaskCount()).isLessThan(100);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void offMeansOneCallPerRequest() throws Exception {
    ModelMeters meters = metrics.model("echo-e", "1");
    EchoRunner runner = new EchoRunner(100_000);
    Batcher b = new Batcher(new InferenceGate(2), BatchingConfig.off(), meters, runner);
    assertThat(hammer(b, meters, 8, 25)).isEmpty();
    assertThat(runner.rowsPerCall).hasSize(8 * 25);
    assertThat(runner.maxRunning).isLessThanOrEqualTo(2);
  }

  /**
   * With batching unset (opportunistic), calls long enough to wait for a permit join the queue and
   * the requests already waiting are merged into the next call; every request still gets exactly
   * its own rows and at most one call per permit runs.
   */
  @Test
  void unsetBatchingMergesTheRequestsQueuedForAPermit() throws Exception {
    ModelMeters meters = metrics.model("echo-h", "1");
    EchoRunner runner = new EchoRunner(2_000_000);
    Batcher b = new Batcher(new InferenceGate(2), BatchingConfig.DEFAULT, meters, runner);
    assertThat(hammer(b, meters, 16, 20)).isEmpty();
    assertThat(runner.rowsPerCall.size()).as("calls").isLessThan(16 * 20 / 2);
    assertThat(runner.rowsPerCall).anySatisfy(r -> assertThat(r).isGreaterThan(3));
    assertThat(runner.rowsPerCall)
        .allSatisfy(
            r -> assertThat(r).isLessThanOrEqualTo(BatchingConfig.DEFAULT_MAX_BATCH_SIZE + 2));
    assertThat(runner.maxRunning).isLessThanOrEqualTo(2);
  }

  /**
   * Batching off, or unset (opportunistic), a model whose calls are short skips the gate and the
   * queue once one call was measured: two calls run at once through a gate of one permit (each
   * waits inside for the other), each with only its own request. A long model's calls never overlap
   * there.
   */
  @ParameterizedTest
  @MethodSource("offAndUnset")
  void shortCallsSkipTheGateAndLongOnesKeepIt(BatchingConfig batching) throws Exception {
    ModelMeters meters = metrics.model("echo-f", "1");
    java.util.concurrent.atomic.AtomicReference<Batcher.Runner> runner =
        new java.util.concurrent.atomic.AtomicReference<>(new EchoRunner(0));
    Batcher b =
        new Batcher(
            new InferenceGate(1),
            batching,
            meters,
            (model, inputs, outputs) -> runner.get().run(model, inputs, outputs));
    for (int i = 0; i < 200; i++) { // gated until measured, then each sample: a few microseconds
      b.infer(iris, request(new float[4], 1), null);
      DirectArena.local().reset();
    }
    java.util.concurrent.CountDownLatch both = new java.util.concurrent.CountDownLatch(2);
    Batcher.Runner meet =
        (model, inputs, outputs) -> {
          both.countDown();
          try {
            assertThat(both.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return new EchoRunner(0).run(model, inputs, outputs);
        };
    runner.set(meet);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<OutputTensor>>> calls = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        calls.add(
            pool.submit(
                () -> {
                  try {
                    return b.infer(iris, request(new float[4], 1), null);
                  } finally {
                    DirectArena.local().reset();
                  }
                }));
      }
      for (Future<List<OutputTensor>> f : calls) {
        assertThat(f.get(20, java.util.concurrent.TimeUnit.SECONDS)).hasSize(1);
      }
    } finally {
      pool.shutdownNow();
    }

    ModelMeters slowMeters = metrics.model("echo-g", "1");
    EchoRunner slow = new EchoRunner(200_000);
    Batcher gated = new Batcher(new InferenceGate(1), batching, slowMeters, slow);
    assertThat(hammer(gated, slowMeters, 4, 20)).isEmpty();
    assertThat(slow.maxRunning).isEqualTo(1);
  }

  static Stream<BatchingConfig> offAndUnset() {
    return Stream.of(BatchingConfig.off(), BatchingConfig.DEFAULT);
  }
}
