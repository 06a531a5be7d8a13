package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.router.config.RouterConfig;
import dev.starling.runtime.router.config.VersionConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Endpoint discovery and panic mode on the routing state alone: names become one endpoint per
 * address, answers that change move traffic, and the panic rule's edges.
 */
class RoutingStateTest {
  private static final String V1 = "http://fraud-v1.ml.svc:8080";
  private static final String V2 = "http://fraud-v2.ml.svc:8080";

  private final Map<String, List<InetAddress>> dns = new HashMap<>();
  private final List<Endpoint> checked = new ArrayList<>();

  /** Names whose lookups get no answer (the resolver's EAI_AGAIN, as the JDK words it). */
  private final Set<String> unanswered = new HashSet<>();

  private static RouterConfig config(String v1, int w1, String v2, int w2) {
    return RouterConfig.empty()
        .withVersions(
            List.of(
                new VersionConfig("v1", w1, List.of(v1)),
                new VersionConfig("v2", w2, List.of(v2))));
  }

  private static InetAddress ip(String a) {
    try {
      return InetAddress.getByName(a); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private EndpointDiscovery discovery(RoutingState state) {
    AddressResolver testing =
        host -> {
          if (unanswered.contains(host)) {
            throw new UnknownHostException(host + ": Temporary failure in name resolution");
          }
          List<InetAddress> a = dns.get(host);
          if (a == null || a.isEmpty()) {
            throw new UnknownHostException(host);
          }
          return a;
        };
    return new EndpointDiscovery(state, testing, checked::add);
  }

  private static void readyAll(RoutingState s) {
    s.endpoints().forEach(e -> s.setReady(e, true, null));
  }

  @Test
  void aNameBecomesOneEndpointPerAddressBalancedRoundRobinWithTheNameAsHost() {
    RoutingState s = new RoutingState(config(V1, 100, V2, 0), t -> {});
    assertThat(s.table().named("v1").endpoints()).isEmpty(); // not resolved yet
    dns.put("fraud-v1.ml.svc", List.of(ip("10.0.0.2"), ip("10.0.0.1")));
    discovery(s).resolveAll();

    assertThat(checked)
        .extracting(Endpoint::host)
        .containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
    assertThat(s.table().serving()).isFalse(); // new addresses wait for their health check
    readyAll(s);
    VersionRoute v1 = s.table().named("v1");
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      hosts.add(v1.next().host());
    }
    assertThat(hosts).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2");
    Endpoint e = v1.next();
    assertThat(e.hostField().getValue()).isEqualTo("fraud-v1.ml.svc:8080");
    assertThat(e.port()).isEqualTo(8080);
    assertThat(e.id()).isEqualTo("http://" + e.host() + ":8080");
  }

  @Test
  void reResolvingKeepsKnownAddressesReadyAndDropsTheOnesThatLeft() {
    List<Endpoint> removed = new ArrayList<>();
    RoutingState s = new RoutingState(config(V1, 100, V2, 0), t -> {}, removed::add);
    EndpointDiscovery d = discovery(s);
    dns.put("fraud-v1.ml.svc", List.of(ip("10.0.0.1"), ip("10.0.0.2")));
    d.resolveAll();
    readyAll(s);
    Endpoint first = s.table().named("v1").endpoints().get(0);
    long generation = s.table().generation();

    // same set in another order: nothing changes, nothing new to check
    checked.clear();
    dns.put("fraud-v1.ml.svc", List.of(ip("10.0.0.2"), ip("10.0.0.1")));
    d.resolveAll();
    assertThat(checked).isEmpty();

    // one pod left, one joined: the new one is checked and not ready; the kept one stays ready
    dns.put("fraud-v1.ml.svc", List.of(ip("10.0.0.1"), ip("10.0.0.3")));
    d.resolveAll();
    assertThat(checked).extracting(Endpoint::host).containsExactly("10.0.0.3");
    VersionRoute v1 = s.table().named("v1");
    assertThat(v1.endpoints()).extracting(Endpoint::host).containsExactly("10.0.0.1", "10.0.0.3");
    assertThat(v1.endpoints().get(0)).isSameAs(first);
    assertThat(removed).extracting(Endpoint::host).containsExactly("10.0.0.2");
    assertThat(v1.next().host()).isEqualTo("10.0.0.1");
    assertThat(v1.next().host()).isEqualTo("10.0.0.1");
    assertThat(s.table().generation()).isEqualTo(generation); // the config did not change
  }

  @Test
  void aNameThatResolvesToNothingLeavesTheVersionNotReady() {
    RoutingState s = new RoutingState(config(V1, 50, V2, 50), t -> {});
    EndpointDiscovery d = discovery(s);
    dns.put("fraud-v1.ml.svc", List.of(ip("10.0.0.1")));
    dns.put("fraud-v2.ml.svc", List.of(ip("10.0.1.1")));
    d.resolveAll();
    readyAll(s);
    assertThat(s.table().effectiveWeight(s.table().named("v1"))).isEqualTo(50.0);

    dns.remove("fraud-v1.ml.svc");
    d.resolveAll();
    assertThat(s.table().named("v1").hasReadyEndpoint()).isFalse();
    assertThat(s.table().effectiveWeight(s.table().named("v2"))).isEqualTo(100.0);
    dns.remove("fraud-v2.ml.svc");
    d.resolveAll();
    assertThat(s.table().serving()).isFalse();
    assertThat(s.table().panic()).isFalse();
  }

  @Test
  void aLookupWithoutAnswerKeepsTheLastAddressesAndANameErrorDropsThem() {
    RoutingState s = new RoutingState(config(V1, 100, V2, 0), t -> {});
    EndpointDiscovery d = discovery(s);
    dns.put("fraud-v1.ml.svc", List.of(ip("10.0.0.1"), ip("10.0.0.2")));
    d.resolveAll();
    readyAll(s);

    unanswered.add("fraud-v1.ml.svc"); // cluster DNS down: no answer at all
    d.resolveAll();
    assertThat(s.table().named("v1").endpoints())
        .extracting(Endpoint::host)
        .containsExactly("10.0.0.1", "10.0.0.2");
    assertThat(s.table().serving()).isTrue();

    unanswered.clear();
    dns.remove("fraud-v1.ml.svc"); // the server answers: no such name (no ready pods)
    d.resolveAll();
    assertThat(s.table().named("v1").endpoints()).isEmpty();
    assertThat(s.table().serving()).isFalse();
  }

  @Test
  void anAnswerThatSwapsTheOldPodForANewOneKeepsTheOldUntilTheNewIsReady() {
    List<Endpoint> removed = new ArrayList<>();
    RoutingState s = new RoutingState(config(V1, 100, V2, 0), t -> {}, removed::add);
    EndpointDiscovery d = discovery(s);
    dns.put("fraud-v1.ml.svc", List.of(ip("10.0.0.1")));
    d.resolveAll();
    readyAll(s);
    Endpoint old = s.table().named("v1").next();

    dns.put("fraud-v1.ml.svc", List.of(ip("10.0.0.2"))); // rolling update: one step
    d.resolveAll();
    assertThat(s.table().serving()).as("no gap while the new pod is checked").isTrue();
    assertThat(s.table().named("v1").next()).isSameAs(old);
    assertThat(s.endpoints()).extracting(Endpoint::host).contains("10.0.0.1", "10.0.0.2");
    assertThat(removed).isEmpty();

    Endpoint fresh =
        s.endpoints().stream().filter(e -> e.host().equals("10.0.0.2")).findFirst().orElseThrow();
    s.setReady(fresh, true, null);
    assertThat(s.table().named("v1").endpoints()).containsExactly(fresh);
    assertThat(removed).containsExactly(old);
    assertThat(s.endpoints()).containsExactly(fresh);
  }

  @Test
  void aLeavingAddressThatFailsItsCheckGoesAndAnEmptyAnswerHandsNothingOver() {
    List<Endpoint> removed = new ArrayList<>();
    RoutingState s = new RoutingState(config(V1, 100, V2, 0), t -> {}, removed::add);
    EndpointDiscovery d = discovery(s);
    dns.put("fraud-v1.ml.svc", List.of(ip("10.0.0.1")));
    d.resolveAll();
    readyAll(s);
    Endpoint old = s.table().named("v1").next();

    dns.put("fraud-v1.ml.svc", List.of(ip("10.0.0.2")));
    d.resolveAll();
    s.setReady(old, false, "503 from a draining runtime");
    assertThat(removed).containsExactly(old);
    assertThat(s.table().serving()).isFalse(); // the new one is not checked yet

    Endpoint fresh = s.table().named("v1").endpoints().get(0);
    s.setReady(fresh, true, null);
    dns.remove("fraud-v1.ml.svc"); // no ready pods at all: nothing to hand over
    d.resolveAll();
    assertThat(s.table().serving()).isFalse();
    assertThat(removed).containsExactly(old, fresh);
  }

  @Test
  void endpointsOfAUrlThatLeftTheConfigAreReportedRemoved() {
    List<Endpoint> removed = new ArrayList<>();
    RoutingState s =
        new RoutingState(
            config("http://10.0.0.1:8080", 100, "http://10.0.1.1:8080", 0), t -> {}, removed::add);
    Endpoint kept = s.table().named("v1").endpoints().get(0);
    s.apply(config("http://10.0.0.1:8080", 100, "http://10.0.2.1:8080", 0));
    assertThat(removed).extracting(Endpoint::url).containsExactly("http://10.0.1.1:8080");
    assertThat(s.table().named("v1").endpoints()).containsExactly(kept);
  }

  @Test
  void ipAddressUrlsAreEndpointsAsTheyAreAndNeverResolved() {
    RoutingState s =
        new RoutingState(config("http://127.0.0.1:9001", 100, "http://[::1]:9002", 0), t -> {});
    assertThat(s.names()).isEmpty();
    assertThat(s.endpoints())
        .extracting(Endpoint::url)
        .containsExactly("http://127.0.0.1:9001", "http://[::1]:9002");
    assertThat(s.endpoints()).noneMatch(Endpoint::resolved);
    Endpoint e = s.endpoints().iterator().next();
    assertThat(e.host()).isEqualTo("127.0.0.1");
    assertThat(e.id()).isEqualTo("http://127.0.0.1:9001");
  }

  @Test
  void panicRoutesToTheLastReadyEndpointsWhenEveryCheckTimesOut() {
    RoutingState s =
        new RoutingState(config("http://10.0.0.1:8080", 90, "http://10.0.1.1:8080", 10), t -> {});
    readyAll(s);
    List<Endpoint> all = List.copyOf(s.endpoints());

    s.timedOut(all.get(0), "timeouts");
    assertThat(s.table().panic()).isFalse(); // v2 still serves: no panic, v1 loses its share
    assertThat(s.table().effectiveWeight(s.table().named("v2"))).isEqualTo(100.0);

    s.timedOut(all.get(1), "timeouts");
    RoutingTable t = s.table();
    assertThat(t.panic()).isTrue();
    assertThat(t.serving()).isTrue();
    assertThat(t.effectiveWeight(t.named("v1"))).isEqualTo(90.0);
    assertThat(t.named("v1").next()).isSameAs(all.get(0));

    // a check passes: normal routing again, to the ready endpoint only
    s.setReady(all.get(1), true, null);
    assertThat(s.table().panic()).isFalse();
    assertThat(s.table().effectiveWeight(s.table().named("v2"))).isEqualTo(100.0);
  }

  @Test
  void aRefusedConnectionOrANon200TakesAnEndpointOutOfThePanicSet() {
    RoutingState s =
        new RoutingState(config("http://10.0.0.1:8080", 50, "http://10.0.1.1:8080", 50), t -> {});
    readyAll(s);
    List<Endpoint> all = List.copyOf(s.endpoints());
    s.timedOut(all.get(0), "timeouts");
    s.timedOut(all.get(1), "timeouts");
    assertThat(s.table().panic()).isTrue();

    s.setReady(all.get(0), false, "connection refused");
    assertThat(s.table().panic()).isTrue();
    assertThat(s.table().effectiveWeight(s.table().named("v2"))).isEqualTo(100.0);
    s.setReady(all.get(1), false, "/v2/health/ready answered 503");
    assertThat(s.table().serving()).isFalse();
    assertThat(s.table().panic()).isFalse();
    // timing out again later does not bring back an endpoint that was not ready before
    s.timedOut(all.get(1), "timeouts");
    assertThat(s.table().serving()).isFalse();
  }

  @Test
  void endpointsThatWereNeverReadyDoNotStartAPanic() {
    RoutingState s =
        new RoutingState(config("http://10.0.0.1:8080", 100, "http://10.0.1.1:8080", 0), t -> {});
    s.endpoints().forEach(e -> s.timedOut(e, "timeouts"));
    assertThat(s.table().serving()).isFalse();
    assertThat(s.table().panic()).isFalse();
  }

  @Test
  void aWeightZeroVersionAloneDoesNotStartAPanic() {
    RoutingState s =
        new RoutingState(config("http://10.0.0.1:8080", 100, "http://10.0.1.1:8080", 0), t -> {});
    readyAll(s);
    List<Endpoint> all = List.copyOf(s.endpoints());
    s.setReady(all.get(0), false, "connection refused");
    s.timedOut(all.get(1), "timeouts");
    assertThat(s.table().serving()).isFalse();
    assertThat(s.table().panic()).isFalse();
  }
}
