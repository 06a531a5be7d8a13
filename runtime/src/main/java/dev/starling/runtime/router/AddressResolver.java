package dev.starling.runtime.router;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Finds every address a host name stands for now. The router's own seam for name lookups: the
 * process uses the JVM's resolver (with its cache turned off, see {@code RouterCommand}); unit
 * tests hand in answers of their own.
 */
@FunctionalInterface
public interface AddressResolver {
  /** The addresses {@code host} resolves to; {@link UnknownHostException} when it has none. */
  List<InetAddress> resolve(String host) throws UnknownHostException;

  /** The JVM's resolver: DNS, or the file {@code -Djdk.net.hosts.file} names. */
  AddressResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));
}
