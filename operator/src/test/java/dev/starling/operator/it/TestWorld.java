package dev.starling.operator.it;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.OperatorClient;
import dev.starling.operator.OperatorSettings;
import dev.starling.operator.StarlingOperator;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real control plane from {@code hack/testenv}, the CRD and RBAC installed in it, and the
 * operator running in this JVM impersonating its own ServiceAccount (so missing RBAC fails tests).
 */
public final class TestWorld {

  public static final String OPERATOR_NAMESPACE = "starling-system";
  public static final String OPERATOR_SA = "starling-operator";
  public static final String RUNTIME_IMAGE = "starling/runtime:it";

  private static TestWorld instance;

  private final Path repo;
  private final String kubeconfig;
  private final KubernetesClient admin;
  private Running operator;
  private Path gatewayApiCrds;

  /** A running in-process operator with its own client and a count of that client's writes. */
  public record Running(StarlingOperator operator, KubernetesClient client, WriteCounter writes) {}

  private TestWorld(Path repo, String kubeconfig) {
    this.repo = repo;
    this.kubeconfig = kubeconfig;
    this.admin =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
  }

  /** Brings the test world up once per JVM. */
  public static synchronized TestWorld get() {
    if (instance == null) {
      Path repo = Path.of(System.getProperty("starling.repo", "..")).toAbsolutePath().normalize();
      // -Dstarling.testenv=<script> runs another copy; STARLING_TESTENV_* pass through
      String testenv =
          System.getProperty("starling.testenv", repo.resolve("hack/testenv").toString());
      run(repo, Duration.ofMinutes(60), testenv, "up");
      String env = run(repo, Duration.ofMinutes(1), testenv, "env");
      Matcher m = Pattern.compile("export KUBECONFIG=['\"]?([^'\"\\s]+)").matcher(env);
      if (!m.find()) {
        throw new IllegalStateException("no KUBECONFIG in `hack/testenv env`:\n" + env);
      }
      TestWorld world;
      try {
        world = new TestWorld(repo, Files.readString(Path.of(m.group(1))));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      world.install();
      String[] crdDir =
          run(repo, Duration.ofMinutes(10), testenv, "gateway-api-crds").strip().split("\n");
      world.gatewayApiCrds = Path.of(crdDir[crdDir.length - 1].strip());
      world.installGatewayApi();
      world.startOperator();
      Runtime.getRuntime().addShutdownHook(new Thread(world::stopOperator));
      instance = world;
    }
    return instance;
  }

  public KubernetesClient admin() {
    return admin;
  }

  public Path repo() {
    return repo;
  }

  /** The admin kubeconfig (YAML), for tests that start the operator as a process. */
  public String kubeconfig() {
    return kubeconfig;
  }

  public synchronized Running operator() {
    return operator;
  }

  /** Starts an operator in this JVM with a fresh impersonating client. */
  public synchronized Running startOperator() {
    WriteCounter writes = new WriteCounter();
    Config config = Config.fromKubeconfig(kubeconfig);
    config.setImpersonateUsername(
        "system:serviceaccount:" + OPERATOR_NAMESPACE + ":" + OPERATOR_SA);
    config.setImpersonateGroups(
        "system:serviceaccounts",
        "system:serviceaccounts:" + OPERATOR_NAMESPACE,
        "system:authenticated");
    KubernetesClient client = OperatorClient.build(config, writes);
    OperatorSettings settings =
        new OperatorSettings(
            RUNTIME_IMAGE,
            false,
            "starling-operator",
            java.util.Optional.empty(),
            0,
            5,
            Duration.ofSeconds(5)); // frequent resyncs, so the steady-state test sees some
    operator =
        new Running(
            StarlingOperator.start(client, settings, new SimpleMeterRegistry()), client, writes);
    return operator;
  }

  /** Stops the operator abruptly: its connections are cut first, then its threads stopped. */
  public synchronized void killOperator() {
    if (operator != null) {
      operator.client().close();
      try {
        operator.operator().close();
      } catch (RuntimeException e) {
        // a killed operator may complain on the way down; that is the point
      }
      operator = null;
    }
  }

  public synchronized void stopOperator() {
    if (operator != null) {
      operator.operator().close();
      operator.client().close();
      operator = null;
    }
  }

  private void install() {
    Path crd = repo.resolve("crds/generated/modeldeployments.serving.starling.dev-v1.yml");
    Path rbac = repo.resolve("operator/src/main/k8s/rbac.yaml");
    try (var in = Files.newInputStream(crd)) {
      var loaded = admin.apiextensions().v1().customResourceDefinitions().load(in).item();
      admin.resource(loaded).forceConflicts().serverSideApply();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("modeldeployments." + ModelDeployment.GROUP)
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            x -> x.getType().equals("Established") && x.getStatus().equals("True")),
            60,
            TimeUnit.SECONDS);
    try (var in = Files.newInputStream(rbac)) {
      for (var item : admin.load(in).items()) {
        admin.resource(item).forceConflicts().serverSideApply();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Installs the Gateway API CRDs from the directory {@code hack/testenv gateway-api-crds} names
   * (its last output line), so the gateway-api traffic mode meets the real HTTPRoute schema.
   */
  public synchronized void installGatewayApi() {
    try (var files = Files.list(gatewayApiCrds)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (var in = Files.newInputStream(f)) {
          for (var item : admin.load(in).items()) {
            admin.resource(item).forceConflicts().serverSideApply();
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("httproutes.gateway.networking.k8s.io")
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            x -> x.getType().equals("Established") && x.getStatus().equals("True")),
            60,
            TimeUnit.SECONDS);
  }

  /** Deletes the HTTPRoute CRD (and with it every HTTPRoute) and waits until it is gone. */
  public synchronized void uninstallHttpRoutes() {
    var crd =
        admin
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("httproutes.gateway.networking.k8s.io");
    crd.delete();
    crd.waitUntilCondition(java.util.Objects::isNull, 120, TimeUnit.SECONDS);
  }

  /** Runs a command in the repo, echoing its output, and returns the output. */
  static String run(Path dir, Duration timeout, String... command) {
    try {
      System.out.println("[test world] $ " + String.join(" ", command));
      Process p =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      List<String> lines = new ArrayList<>();
      Thread reader =
          new Thread(
              () -> {
                try (var r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    System.out.println("[test world] " + line);
                    lines.add(line);
                  }
                } catch (IOException e) {
                  // process ended
                }
              });
      reader.start();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " timed out after " + timeout);
      }
      reader.join();
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command)
                + " failed ("
                + p.exitValue()
                + "):\n"
                + String.join("\n", lines));
      }
      return String.join("\n", lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
