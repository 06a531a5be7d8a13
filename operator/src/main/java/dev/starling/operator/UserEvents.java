package dev.starling.operator;

import dev.starling.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records Kubernetes Events on a ModelDeployment: problems a user must act on, held weights. */
public final class UserEvents {

  private static final Logger LOG = LoggerFactory.getLogger(UserEvents.class);
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final Clock clock;

  public UserEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** A Warning event; failures are logged, never fatal to reconciliation. */
  public void warning(ModelDeployment md, String reason, String message) {
    record(md, "Warning", reason, message);
  }

  /** A Normal event (an expected wait a user may want to see, e.g. a held-back weight). */
  public void normal(ModelDeployment md, String reason, String message) {
    record(md, "Normal", reason, message);
  }

  private void record(ModelDeployment md, String type, String reason, String message) {
    String now =
        DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(md.getMetadata().getName() + ".")
            .withNamespace(md.getMetadata().getNamespace())
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(md.getApiVersion())
            .withKind(md.getKind())
            .withName(md.getMetadata().getName())
            .withNamespace(md.getMetadata().getNamespace())
            .withUid(md.getMetadata().getUid())
            .endInvolvedObject()
            .withType(type)
            .withReason(reason)
            .withMessage(text)
            .withNewSource()
            .withComponent("starling-operator")
            .endSource()
            .withReportingComponent("starling-operator")
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    try {
      client.v1().events().inNamespace(md.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not record event {} on {}: {}",
          reason,
          md.getMetadata().getName(),
          e.getMessage());
    }
  }
}
