package dev.starling.operator.dependent;

import static dev.starling.operator.TestingModelDeployments.fraud;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import org.junit.jupiter.api.Test;

class VersionBulkDependentTest {

  @Test
  void aChildIsOwnedOnlyThroughAnOwnerReferenceToThisModelDeploymentsUid() {
    var md = fraud();
    md.getMetadata().setUid("uid-1");
    var ours = ownedBy("uid-1");
    var sameNameOtherOwner = ownedBy("uid-0");
    var nobodys =
        new ConfigMapBuilder().withNewMetadata().withName("fraud-v1").endMetadata().build();

    assertThat(VersionBulkDependent.ownedBy(ours, md)).isTrue();
    assertThat(VersionBulkDependent.ownedBy(sameNameOtherOwner, md)).isFalse();
    assertThat(VersionBulkDependent.ownedBy(nobodys, md)).isFalse();
  }

  private static ConfigMap ownedBy(String uid) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName("fraud-v1")
        .withOwnerReferences(new OwnerReferenceBuilder().withName("fraud").withUid(uid).build())
        .endMetadata()
        .build();
  }
}
