package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.runtime.config.BatchingConfig;
import dev.starling.runtime.metrics.ModelMeters;
import dev.starling.runtime.metrics.RuntimeMetrics;
import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.testing.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How many requests lead batches of one model at once: a second leader only while the queue holds
 * more rows than the running leaders take next. The stand-in runner ({@link
 * BatcherTest.EchoRunner}) counts the calls running at once, which is the number of leaders in ONNX
 * Runtime.
 */
class BatchLeadersTest {
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

  /** leaders running, rows queued, rows per batch, compute-bound -> may one more request lead? */
  @ParameterizedTest
  @CsvSource({
    "0, 0, 16, false, true", //   nobody leads: the request leads itself
    "0, 40, 16, false, true",
    "1, 1, 16, false, false", //  the running leader's next batch takes it
    "1, 16, 16, false, false", // exactly one batch queued: still one leader
    "1, 17, 16, false, true", //  one row more than it takes: a second leader
    "2, 32, 16, false, false",
    "2, 33, 16, false, true",
    "1, 1, 16, true, true", //    compute-bound: every permit may lead
    "1, 2, 1, false, true", //    batches of one row: every queued row beyond the first spills
    "3, 2147483647, 1073741824, false, false" // no overflow: 3 x 2^30 rows is more than queued
  })
  void aFurtherLeaderOnlyForRowsTheRunningLeadersDoNotTake(
      int leading, int queued, int max, boolean computeBound, boolean mayLead) {
    assertThat(Batcher.mayLead(leading, queued, max, computeBound)).isEqualTo(mayLead);
  }

  @Test
  void theTimePerRowOfAFullBatchComesFromTheLargestProbeThatFits() {
    BatchSizing.Decision d =
        new BatchSizing.Decision(
            16,
            List.of(
                new BatchSizing.Probe(1, 100_000),
                new BatchSizing.Probe(8, 240_000),
                new BatchSizing.Probe(16, 320_000),
                new BatchSizing.Probe(32, 960_000)));
    assertThat(d.nanosPerRowAt(16)).isEqualTo(20_000);
    assertThat(d.nanosPerRowAt(12)).as("8 rows fit, 16 do not").isEqualTo(30_000);
    assertThat(d.nanosPerRowAt(1)).isEqualTo(100_000);
    assertThat(new BatchSizing.Decision(16, List.of()).nanosPerRowAt(16)).isEqualTo(-1);
  }

  /**
   * A batched model whose full batch still costs 100 µs per row (load-time sizing) is
   * compute-bound: with the same 8 light clients as below, both permits lead.
   */
  @Test
  void aComputeBoundBatchedModelLeadsOnEveryPermit() throws Exception {
    try (OnnxModel heavyRows = OnnxModel.load(Samples.model("iris"), "x", 1)) {
      heavyRows.batchSizing(
          new BatchSizing.Decision(
              32,
              List.of(new BatchSizing.Probe(1, 400_000), new BatchSizing.Probe(32, 3_200_000))));
      BatcherTest.EchoRunner runner = hammered(heavyRows, "leaders-e", 32, 500_000, 8, 60, 0);
      assertThat(runner.maxRunning).as("calls at once").isEqualTo(2);
    }
  }

  /**
   * 8 clients of 1 to 3 rows never queue more than 24 rows, less than one batch of 32: one leader
   * takes them all each time, so only one call runs though the gate has two permits (the other core
   * is left to the HTTP and JSON work that fills the next batch).
   */
  @Test
  void aQueueThatFitsOneBatchIsLedByOneLeaderAtATime() throws Exception {
    BatcherTest.EchoRunner runner = hammered(iris, "leaders-a", 32, 500_000, 8, 60, 0);
    assertThat(runner.maxRunning).as("calls at once").isEqualTo(1);
    assertThat(runner.rowsPerCall.size()).as("calls").isLessThan(8 * 60);
  }

  /**
   * 16 clients of 8 rows with batches of 8: the queue holds more than the running leader takes
   * next, so a second request leads too and both permits compute (a compute-heavy batched model
   * keeps both cores), never more.
   */
  @Test
  void aQueueDeeperThanTheRunningLeadersTakeGetsAnotherLeader() throws Exception {
    BatcherTest.EchoRunner runner = hammered(iris, "leaders-b", 8, 2_000_000, 16, 30, 8);
    assertThat(runner.maxRunning).as("calls at once").isEqualTo(2);
    assertThat(runner.rowsPerCall).allSatisfy(r -> assertThat(r).isEqualTo(8));
  }

  /**
   * Many short bursts of 2 to 12 requests at once, with the queued requests' own periodic checks
   * turned into minute-long parks: a request left in the queue when the last leader goes would hang
   * its burst, so every burst finishing shows that each leader that leaves (or that took a place
   * and found no permit) wakes the next request. Each burst is bounded; a healthy one takes
   * milliseconds even on a loaded machine.
   */
  @Test
  void noRequestIsLeftInTheQueueWhenLeadersLeave() throws Exception {
    ModelMeters meters = metrics.model("leaders-c", "1");
    Batcher b = withoutTimedLooks(meters, 4, 30_000);
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      for (int burst = 0; burst < 400; burst++) {
        int size = 2 + ThreadLocalRandom.current().nextInt(11);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<OutputTensor>>> calls = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          int rows = 1 + ThreadLocalRandom.current().nextInt(3);
          calls.add(
              pool.submit(
                  () -> {
                    go.await();
                    return call(b, meters, rows, null);
                  }));
        }
        go.countDown();
        for (Future<List<OutputTensor>> f : calls) {
          assertThat(f.get(20, TimeUnit.SECONDS)).as("burst %d answered", burst).hasSize(1);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The race between "the last leader leaves" and "a request joins": a request that arrives just
   * after the leader gave its place back, before the leader looks at the queue, must be answered.
   * It either finds the place free and leads itself, or the leader finds it queued and wakes it (a
   * leader that looked at the queue before giving its place back would strand it: the request sees
   * a leader, parks, and nobody wakes it).
   */
  @Test
  void aRequestJoiningWhileTheLastLeaderLeavesIsAnswered() throws Exception {
    ModelMeters meters = metrics.model("leaders-d", "1");
    Batcher b = withoutTimedLooks(meters, 8, 0);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      AtomicReference<Future<List<OutputTensor>>> late = new AtomicReference<>();
      AtomicReference<Thread> lateThread = new AtomicReference<>();
      AtomicBoolean armed = new AtomicBoolean(true);
      b.trace(
          new Batcher.Trace() {
            @Override
            public void batch(long oldest, long deadline, long lastWait, int jobs, int rows) {}

            @Override
            public void placeGivenBack() {
              if (!armed.compareAndSet(true, false)) {
                return; // only the first leader's leaving (the late request leaves too)
              }
              late.set(pool.submit(() -> call(b, meters, 1, lateThread)));
              // hold the leaver here until the late request finished or parked in the queue
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(
                      () ->
                          late.get().isDone()
                              || (lateThread.get() != null
                                  && LockSupport.getBlocker(lateThread.get()) == b));
            }
          });
      assertThat(pool.submit(() -> call(b, meters, 1, null)).get(30, TimeUnit.SECONDS)).hasSize(1);
      assertThat(late.get()).isNotNull();
      assertThat(late.get().get(20, TimeUnit.SECONDS)).as("the late request answered").hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * {@code threads} clients send {@code perThread} requests of {@code rows} rows (0: 1 to 3)
   * through two permits and batches of {@code maxBatchSize} to an echo runner taking {@code
   * runNanos}; every answer must be the client's own rows. Returns the runner (calls at once, rows
   * per call).
   */
  private static BatcherTest.EchoRunner hammered(
      OnnxModel model,
      String name,
      int maxBatchSize,
      long runNanos,
      int threads,
      int perThread,
      int rows)
      throws Exception {
    ModelMeters meters = metrics.model(name, "1");
    BatcherTest.EchoRunner runner = new BatcherTest.EchoRunner(runNanos);
    Batcher b =
        new Batcher(
            new InferenceGate(2), new BatchingConfig(maxBatchSize, Duration.ZERO), meters, runner);
    assertThat(BatcherTest.hammer(model, b, meters, threads, perThread, rows)).isEmpty();
    return runner;
  }

  /**
   * Two permits, batches of {@code maxBatchSize}, an echo runner taking {@code runNanos}, and
   * queued requests that never look again by themselves: only a wake-up moves them.
   */
  private static Batcher withoutTimedLooks(ModelMeters meters, int maxBatchSize, long runNanos) {
    Batcher b =
        new Batcher(
            new InferenceGate(2),
            new BatchingConfig(maxBatchSize, Duration.ZERO),
            meters,
            new BatcherTest.EchoRunner(runNanos));
    b.parkNanos(TimeUnit.MINUTES.toNanos(1), TimeUnit.MINUTES.toNanos(1));
    return b;
  }

  /** One request of {@code rows} zero rows, counted in flight; {@code self} gets its thread. */
  private static List<OutputTensor> call(
      Batcher b, ModelMeters meters, int rows, AtomicReference<Thread> self) {
    if (self != null) {
      self.set(Thread.currentThread());
    }
    meters.inflight().incrementAndGet();
    try {
      return b.infer(iris, BatcherTest.request(new float[rows * 4], rows), null);
    } finally {
      meters.inflight().decrementAndGet();
      DirectArena.local().reset();
    }
  }
}
