package dev.starling.operator;

import dev.starling.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events on a ModelDeployment: problems a user must act on, held weights.
 *
 * <p>Repeats are aggregated the way kubectl shows them: an Event's name is derived from the object,
 * type, reason and message, so announcing the same thing again (a retried reconciliation that has
 * not yet seen its own status write, a second operator replica after a failover) bumps {@code
 * count} and {@code lastTimestamp} of the existing Event instead of adding another one. The counts
 * this process has written are remembered in a bounded map; the operator needs no read access to
 * Events.
 */
public final class UserEvents {

  private static final Logger LOG = LoggerFactory.getLogger(UserEvents.class);
  private static final int MAX_MESSAGE = 1024;
  private static final int REMEMBERED = 4096;

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Integer> counts =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
              return size() > REMEMBERED;
            }
          });

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
            .withName(eventName(md, type, reason, text))
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
    String name = event.getMetadata().getName();
    var events = client.v1().events().inNamespace(md.getMetadata().getNamespace());
    try {
      try {
        events.resource(event).create();
        counts.put(name, 1);
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        int count = counts.merge(name, 2, (old, ignored) -> old + 1);
        // on the Event just built (not withName): fabric8 would otherwise GET it first, and the
        // operator may not read Events
        events
            .resource(event)
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}");
      }
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not record event {} on {}: {}",
          reason,
          md.getMetadata().getName(),
          e.getMessage());
    }
  }

  /**
   * {@code <md>.<16 hex of a digest of uid, type, reason, message>}: the same announcement, the
   * same name.
   */
  static String eventName(ModelDeployment md, String type, String reason, String message) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {md.getMetadata().getUid(), type, reason, message}) {
        sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return md.getMetadata().getName() + "." + HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
