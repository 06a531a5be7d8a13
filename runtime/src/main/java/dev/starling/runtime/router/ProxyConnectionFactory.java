package dev.starling.runtime.router;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;

/**
 * Makes every accepted connection a {@link ProxyConnection} (the lean proxy path), which hands
 * itself to {@code fallback} (Jetty's HTTP/1.1) at the first request it does not take.
 */
final class ProxyConnectionFactory extends AbstractConnectionFactory {
  /** {@code -Dstarling.router.lean=false} serves every request through Jetty's handler path. */
  static final boolean ENABLED =
      Boolean.parseBoolean(System.getProperty("starling.router.lean", "true"));

  private final ConnectionFactory fallback;
  private final ProxyContext ctx;

  ProxyConnectionFactory(ConnectionFactory fallback, ProxyContext ctx) {
    super("starling-lean-http/1.1");
    this.fallback = fallback;
    this.ctx = ctx;
  }

  @Override
  public Connection newConnection(Connector connector, EndPoint endPoint) {
    return configure(new ProxyConnection(endPoint, connector, fallback, ctx), connector, endPoint);
  }
}
