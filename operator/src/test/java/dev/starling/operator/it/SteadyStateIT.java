package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Once everything is Ready, the operator makes no API writes, although it keeps reconciling (the
 * test operator resyncs every 5 s).
 */
@ExtendWith(TestWorldExtension.class)
class SteadyStateIT {

  @Test
  void steadyStateMakesZeroWrites(TestWorld world, TestNamespace ns) throws Exception {
    ns.samplePrerequisites();
    List<String> names = new ArrayList<>();
    for (var md : SamplesIT.distinctSamples(ns)) {
      ns.create(md);
      names.add(md.getMetadata().getName());
    }
    assertThat(names).contains("fraud");
    for (String name : names) {
      ns.awaitSettled(name, Duration.ofSeconds(120));
    }
    // let the last status patch and the pods' final transitions settle
    Thread.sleep(3_000);
    var resourceVersions = ns.children("fraud");
    String mdVersion = ns.get("fraud").getMetadata().getResourceVersion();

    WriteCounter writes = world.operator().writes();
    assertThat(writes.writes()).as("the counter sees the operator's writes").isNotEmpty();
    writes.reset();
    Thread.sleep(15_000); // three resync periods of the test operator

    // Only this namespace and cluster-scoped objects count: the test operator is shared, and
    // another IT's namespace may still be winding down or retrying a refused child on purpose.
    String own = "/namespaces/" + ns.name() + "/";
    assertThat(writes.writes())
        .filteredOn(w -> w.contains(own) || !w.contains("/namespaces/"))
        .as("writes by the operator in steady state (all writes seen: %s)", writes.writes())
        .isEmpty();
    assertThat(ns.get("fraud").getMetadata().getResourceVersion()).isEqualTo(mdVersion);
    assertThat(ns.children("fraud")).isEqualTo(resourceVersions);
  }
}
