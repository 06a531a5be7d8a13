package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.UserEvents;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Events go through the operator's own impersonating client (create + patch, no read access): a
 * repeated announcement is one Event with a count, a different one is another Event.
 */
@ExtendWith(TestWorldExtension.class)
class UserEventsIT {

  @Test
  void repeatsAreAggregatedIntoOneEventWithACount(TestNamespace ns) {
    ModelDeployment md = ns.create(ns.sample("iris.yaml"));
    String name = md.getMetadata().getName();
    UserEvents events = new UserEvents(TestWorld.get().operator().client(), Clock.systemUTC());

    events.warning(md, "TestRepeat", "the same problem, announced three times");
    events.warning(md, "TestRepeat", "the same problem, announced three times");
    events.warning(md, "TestRepeat", "the same problem, announced three times");
    events.warning(md, "TestRepeat", "another problem");

    List<Event> recorded =
        ns.admin().v1().events().inNamespace(ns.name()).list().getItems().stream()
            .filter(e -> name.equals(e.getInvolvedObject().getName()))
            .filter(e -> "TestRepeat".equals(e.getReason()))
            .toList();
    assertThat(recorded)
        .extracting(Event::getMessage, Event::getCount)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("the same problem, announced three times", 3),
            org.assertj.core.groups.Tuple.tuple("another problem", 1));
    assertThat(recorded).allSatisfy(e -> assertThat(e.getType()).isEqualTo("Warning"));
  }
}
