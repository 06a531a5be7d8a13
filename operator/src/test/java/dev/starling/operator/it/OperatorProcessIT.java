package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operator jar as a process, as a pod runs it: SIGTERM stops it promptly with exit code 0 and
 * the Lease released (JOSDK used to call System.exit inside the shutdown hook and hang the JVM),
 * and a start it cannot complete (RBAC forbids its watches) ends the process with exit code 1
 * instead of leaving it up with a healthy /healthz.
 */
@ExtendWith(TestWorldExtension.class)
class OperatorProcessIT {

  @TempDir Path dir;
  private Process process;

  @AfterEach
  void stop() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  @Test
  void sigtermReleasesTheLeaseAndExitsZeroPromptly() throws Exception {
    TestWorld world = TestWorld.get();
    String lease = "process-it-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    process = start(world, TestWorld.OPERATOR_SA, true, lease);
    var leases = world.admin().leases().inNamespace(TestWorld.OPERATOR_NAMESPACE).withName(lease);
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              assertThat(process.isAlive()).as("operator still running\n%s", log()).isTrue();
              Lease l = leases.get();
              return l != null && !isNullOrEmpty(l.getSpec().getHolderIdentity());
            });
    String holder = leases.get().getSpec().getHolderIdentity();

    long t0 = System.nanoTime();
    process.destroy(); // SIGTERM
    boolean exited = process.waitFor(15, TimeUnit.SECONDS);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(exited).as("exited within 15 s of SIGTERM\n%s", log()).isTrue();
    assertThat(process.exitValue()).as("exit code\n%s", log()).isZero();
    System.out.printf("operator (Lease holder %s) exited %d ms after SIGTERM%n", holder, millis);
    assertThat(leases.get().getSpec().getHolderIdentity())
        .as("Lease released on the way out")
        .isNullOrEmpty();
    leases.delete();
  }

  @ParameterizedTest(name = "leader election {0}")
  @ValueSource(booleans = {false, true})
  void startRefusedByRbacExitsNonZero(boolean leaderElection) throws Exception {
    TestWorld world = TestWorld.get();
    process = start(world, "nobody", leaderElection, "process-it-nobody");

    boolean exited = process.waitFor(90, TimeUnit.SECONDS);

    assertThat(exited).as("exited after a start it cannot complete\n%s", log()).isTrue();
    assertThat(process.exitValue()).as("exit code\n%s", log()).isEqualTo(1);
    // without leader election the first watch is refused; with it, JOSDK's Lease access check
    assertThat(log())
        .contains("could not start the operator")
        .containsAnyOf("forbidden", "No permission to lease resource");
  }

  /** The jar, impersonating {@code serviceAccount} of the operator namespace, output to a file. */
  private Process start(
      TestWorld world, String serviceAccount, boolean leaderElection, String lease)
      throws IOException {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, world.kubeconfig());
    Path jar = world.repo().resolve("operator/target/starling-operator.jar");
    assertThat(jar).as("built by `package` before the ITs").exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(java, "-Xmx192m", "-jar", jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("operator.log").toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("KUBERNETES_") || k.startsWith("STARLING_"));
    Map<String, String> settings = new HashMap<>();
    settings.put("KUBECONFIG", kubeconfig.toString());
    settings.put(
        "KUBERNETES_IMPERSONATE_USERNAME",
        "system:serviceaccount:" + TestWorld.OPERATOR_NAMESPACE + ":" + serviceAccount);
    settings.put(
        "KUBERNETES_IMPERSONATE_GROUP",
        "system:serviceaccounts,system:serviceaccounts:"
            + TestWorld.OPERATOR_NAMESPACE
            + ",system:authenticated");
    settings.put("STARLING_RUNTIME_IMAGE", TestWorld.RUNTIME_IMAGE);
    settings.put("STARLING_LEADER_ELECTION", Boolean.toString(leaderElection));
    settings.put("STARLING_LEASE_NAME", lease);
    settings.put("STARLING_LEASE_NAMESPACE", TestWorld.OPERATOR_NAMESPACE);
    settings.put("STARLING_HTTP_PORT", "0");
    env.putAll(settings);
    return pb.start();
  }

  private String log() throws IOException {
    Path log = dir.resolve("operator.log");
    return Files.exists(log) ? Files.readString(log) : "(no output)";
  }

  private static boolean isNullOrEmpty(String s) {
    return s == null || s.isEmpty();
  }
}
