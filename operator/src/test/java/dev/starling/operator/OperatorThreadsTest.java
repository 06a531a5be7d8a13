package dev.starling.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
      assertThat(registry.get("starling.operator.uncaught.errors").counter().count())
          .isEqualTo(1.0);
      assertThat(seenByDefault).isEmpty();
    } finally {
      pool.shutdownNow();
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }
}
