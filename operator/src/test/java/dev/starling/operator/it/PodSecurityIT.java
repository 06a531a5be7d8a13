package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every generated pod template is admitted under Pod Security Standards "restricted". */
@ExtendWith(TestWorldExtension.class)
class PodSecurityIT {

  @Test
  void everySamplesPodTemplateIsAdmittedInARestrictedNamespace(@Restricted TestNamespace ns)
      throws Exception {
    ns.samplePrerequisites();
    for (ModelDeployment sample : SamplesIT.distinctSamples(ns)) {
      ModelDeployment md = ns.create(sample);
      ns.awaitReady(md.getMetadata().getName(), Duration.ofSeconds(90));
    }
    var deployments = ns.admin().apps().deployments().inNamespace(ns.name()).list().getItems();
    assertThat(deployments).hasSizeGreaterThanOrEqualTo(4);
    for (var d : deployments) {
      // a direct create (dry run) of each template: admission answers for this template alone
      Pod pod =
          new PodBuilder()
              .withNewMetadata()
              .withName(d.getMetadata().getName() + "-pss")
              .withNamespace(ns.name())
              .endMetadata()
              .withSpec(d.getSpec().getTemplate().getSpec())
              .build();
      Pod admitted = ns.admin().pods().inNamespace(ns.name()).resource(pod).dryRun().create();
      assertThat(admitted.getMetadata().getName()).isEqualTo(pod.getMetadata().getName());
      assertThat(
              ns.admin()
                  .pods()
                  .inNamespace(ns.name())
                  .withLabel("serving.starling.dev/model-deployment")
                  .list()
                  .getItems())
          .isNotEmpty();
    }
  }
}
