package dev.starling.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OperatorThreadsTest {

  @Test
  void anExceptionEscapingATaskIsLoggedAndCountedNotHandedToTheDefaultHandler() throws Exception {
    var registry = new SimpleMeterRegistry();
    List<Throwable> seenByDefault = new CopyOnWriteArrayList<>();
    var before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> seenByDefault.add(e));
    var pool = OperatorThreads.pool("reconcile", 2, registry);
    try {
      List<String> names = new CopyOnWriteArrayList<>();
      pool.execute(() -> names.add(Thread.currentThread().getName()));
      pool.execute(
          () -> {
            throw new IllegalStateException("Task already scheduled or cancelled");
          });
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(names).singleElement().asString().startsWith("reconcile-");
      // The pool counts the worker as gone (and may report termination) before the dying thread
      // runs its uncaught-exception handler, so the count is awaited, not read once.
      var counter = registry.get("starling.operator.uncaught.errors").counter();
      await().atMost(Duration.ofSeconds(10)).until(() -> counter.count() == 1.0);
      assertThat(seenByDefault).isEmpty();
    } finally {
      pool.shutdownNow();
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }
}
