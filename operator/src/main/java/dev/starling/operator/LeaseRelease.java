package dev.starling.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the Lease up on a clean stop, so that another replica leads at once instead of after the
 * lease duration. JOSDK's leader elector never releases it (it passes releaseOnCancel=false to
 * fabric8), so this does what client-go's ReleaseOnCancel does: empty holder, 1 s duration.
 */
final class LeaseRelease {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseRelease.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final String identity;

  LeaseRelease(KubernetesClient client, String namespace, String name, String identity) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.identity = identity;
  }

  /** Pod name (HOSTNAME) plus a random suffix: unique even for two processes on one host. */
  static String newIdentity() {
    String host =
        Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElse("");
    String id = UUID.randomUUID().toString();
    return host.isEmpty() ? id : host + "_" + id;
  }

  String identity() {
    return identity;
  }

  String namespace() {
    return namespace;
  }

  /** Releases the Lease if this process still holds it; a conflict means someone else does. */
  void release() {
    try {
      Lease lease = client.leases().inNamespace(namespace).withName(name).get();
      if (lease == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      lease.getSpec().setHolderIdentity(null);
      lease.getSpec().setLeaseDurationSeconds(1);
      lease
          .getSpec()
          .setRenewTime(ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS));
      client.resource(lease).update(); // optimistic: fails if the Lease changed meanwhile
      LOG.info("released the Lease {}/{}", namespace, name);
    } catch (KubernetesClientException e) {
      LOG.warn("could not release the Lease {}/{}: {}", namespace, name, e.getMessage());
    }
  }
}
