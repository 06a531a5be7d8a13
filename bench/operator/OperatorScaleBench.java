// Operator scale benchmark driver; run by bench/operator/run.sh (single-file Java source,
// classpath = the shaded operator jar).
//
// Creates N ModelDeployments, measures the time until every one has its children and a status
// for its generation, and until every one is Ready (pods made ready by kwok); then counts the
// operator's API writes over a steady-state window and reads its heap and RSS.
import dev.starling.api.v1alpha1.GatewayRef;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelDeploymentSpec;
import dev.starling.api.v1alpha1.ModelSource;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.api.v1alpha1.Traffic;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class OperatorScaleBench {

  /** STARLING_BENCH_TRAFFIC_MODE=gateway-api: the same MDs routed by an HTTPRoute, no router. */
  static final boolean GATEWAY_API = "gateway-api".equals(System.getenv("STARLING_BENCH_TRAFFIC_MODE"));

  /**
   * Deployments (and HPAs) a one-version ModelDeployment has once reconciled: its version's. In
   * builtin mode there is no router until a second version (or a mirror) needs one (session 8; an
   * operator from before had a router Deployment and HPA per ModelDeployment, set
   * STARLING_BENCH_ROUTER_PER_MD=1 to measure one).
   */
  static final int PER_MD = "1".equals(System.getenv("STARLING_BENCH_ROUTER_PER_MD")) ? 2 : 1;

  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[0]);
    long operatorPid = Long.parseLong(args[1]);
    String metricsUrl = args[2];
    int steadySeconds = Integer.parseInt(args[3]);
    String ns = "bench-scale";

    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).serverSideApply();
      var mds = client.resources(ModelDeployment.class).inNamespace(ns);

      long t0 = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(16);
      for (int i = 0; i < count; i++) {
        String name = String.format("m%04d", i);
        pool.submit(
            () -> {
              var v = new ModelVersion("v1", new ModelSource("https://models.example.com/" + name + ".onnx", null), null);
              var spec = new ModelDeploymentSpec(List.of(v), null);
              if (GATEWAY_API) {
                var traffic = new Traffic();
                traffic.setMode(Traffic.GATEWAY_API);
                traffic.setGatewayRef(new GatewayRef("bench", ns, null));
                spec.setTraffic(traffic);
              }
              var md = new ModelDeployment(spec);
              md.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
              mds.resource(md).create();
            });
      }
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.MINUTES);
      double created = secondsSince(t0);
      System.out.printf("created %d ModelDeployments in %.1f s%n", count, created);

      double reconciled = -1;
      double ready = -1;
      while (ready < 0 && secondsSince(t0) < 900) {
        var items = mds.list().getItems();
        long withStatus =
            items.stream()
                .filter(m -> m.getStatus() != null && m.getMetadata().getGeneration().equals(m.getStatus().getObservedGeneration()))
                .count();
        long readyCount =
            items.stream()
                .filter(m -> m.getStatus() != null && m.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True")))
                .count();
        if (reconciled < 0 && withStatus == count) {
          long deployments = client.apps().deployments().inNamespace(ns).list().getItems().size();
          long hpas = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).list().getItems().size();
          if (deployments == (long) PER_MD * count && hpas == (long) PER_MD * count) {
            reconciled = secondsSince(t0);
            System.out.printf("all reconciled (children + status) after %.1f s%n", reconciled);
          }
        }
        if (readyCount == count && reconciled >= 0) {
          ready = secondsSince(t0);
          System.out.printf("all Ready after %.1f s%n", ready);
        } else {
          System.out.printf("  %.0f s: status %d/%d, Ready %d/%d%n", secondsSince(t0), withStatus, count, readyCount, count);
          Thread.sleep(2000);
        }
      }

      Thread.sleep(10_000); // let the last pod transitions settle
      double writesBefore = metric(metricsUrl, "starling_operator_api_writes_total", "");
      Thread.sleep(steadySeconds * 1000L);
      double writesAfter = metric(metricsUrl, "starling_operator_api_writes_total", "");
      double heap = metric(metricsUrl, "jvm_memory_used_bytes", "area=\"heap\"");
      long rssKb = rssKb(operatorPid);

      System.out.printf("RESULT count=%d created_s=%.1f reconciled_s=%.1f ready_s=%.1f steady_writes=%.0f steady_s=%d heap_mib=%.1f rss_mib=%.1f operator_cpu_s=%.1f%n",
          count, created, reconciled, ready, writesAfter - writesBefore, steadySeconds, heap / 1048576.0, rssKb / 1024.0, cpuSeconds(operatorPid));
    }
  }

  static double secondsSince(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Sum of every sample of a metric whose labels contain the given text. */
  static double metric(String url, String name, String labels) throws Exception {
    String body =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
            .body();
    double sum = 0;
    Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(body);
    while (m.find()) {
      if (m.group(1) == null ? labels.isEmpty() : m.group(1).contains(labels)) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }

  /** CPU seconds (user + system) the process has used since it started. */
  static double cpuSeconds(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in USER_HZ ticks
  }

  static long rssKb(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
