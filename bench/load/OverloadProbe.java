import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Closed-loop load with latencies kept per HTTP status, so admitted (200) and shed (503) requests
 * can be judged apart. Loopback only; bounded by time.
 *
 * <p>java bench/load/OverloadProbe.java URL BODY_FILE CLIENTS SECONDS [honour-retry-after]
 *
 * <p>By default a client sends its next request as soon as an answer arrives, 503 or not (the
 * harshest client: a shed request costs the server and the shared cores again at once). With
 * {@code honour-retry-after} a client that gets a 503 or 429 with {@code Retry-After} waits that
 * long (cut at the end of the run) before its next request, as a polite client or proxy does.
 */
public class OverloadProbe {
  public static void main(String[] a) throws Exception {
    URI uri = URI.create(a[0]);
    String host = uri.getHost();
    if (!(host.startsWith("127.") || host.equals("localhost") || host.equals("[::1]"))) {
      throw new IllegalArgumentException("loopback targets only: " + host);
    }
    byte[] body = Files.readAllBytes(Path.of(a[1]));
    int clients = Integer.parseInt(a[2]);
    long end = System.nanoTime() + Duration.ofSeconds(Long.parseLong(a[3])).toNanos();
    boolean honour = a.length > 4 && a[4].equals("honour-retry-after");
    Map<Integer, List<long[]>> byStatus = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    List<String> errors = new CopyOnWriteArrayList<>();
    for (int c = 0; c < clients; c++) {
      Thread t =
          new Thread(
              () -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpRequest req =
                    HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
                long[] lat = new long[1 << 20];
                int n = 0;
                Map<Integer, long[]> local = new TreeMap<>();
                Map<Integer, Integer> counts = new TreeMap<>();
                while (System.nanoTime() < end) {
                  long t0 = System.nanoTime();
                  int status;
                  long retryAfterSeconds = 0;
                  try {
                    HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
                    status = r.statusCode();
                    if (honour && (status == 503 || status == 429)) {
                      retryAfterSeconds =
                          r.headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L);
                    }
                  } catch (Exception e) {
                    errors.add(e.toString());
                    continue;
                  }
                  long us = (System.nanoTime() - t0) / 1000;
                  if (retryAfterSeconds > 0) {
                    long wake = Math.min(end, System.nanoTime() + retryAfterSeconds * 1_000_000_000L);
                    try {
                      Thread.sleep(Math.max(0, (wake - System.nanoTime()) / 1_000_000));
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                  long[] arr = local.computeIfAbsent(status, s -> new long[1 << 18]);
                  int k = counts.merge(status, 1, Integer::sum) - 1;
                  if (k < arr.length) {
                    arr[k] = us;
                  }
                }
                for (Map.Entry<Integer, long[]> e : local.entrySet()) {
                  int k = Math.min(counts.get(e.getKey()), e.getValue().length);
                  byStatus.computeIfAbsent(e.getKey(), s -> new CopyOnWriteArrayList<>()).add(Arrays.copyOf(e.getValue(), k));
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    StringBuilder json = new StringBuilder("PROBE_RESULT {");
    boolean first = true;
    for (Map.Entry<Integer, List<long[]>> e : new TreeMap<>(byStatus).entrySet()) {
      long[] all = e.getValue().stream().flatMapToLong(Arrays::stream).sorted().toArray();
      json.append(first ? "" : ",")
          .append('"').append(e.getKey()).append("\":{\"count\":").append(all.length)
          .append(",\"p50_ms\":").append(pct(all, 0.50))
          .append(",\"p99_ms\":").append(pct(all, 0.99))
          .append(",\"max_ms\":").append(all.length == 0 ? 0 : all[all.length - 1] / 1000.0)
          .append('}');
      first = false;
    }
    json.append(first ? "" : ",").append("\"errors\":").append(errors.size()).append('}');
    System.out.println(json);
  }

  static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1000.0;
  }
}
