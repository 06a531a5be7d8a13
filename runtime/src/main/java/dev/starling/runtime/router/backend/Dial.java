package dev.starling.runtime.router.backend;

import java.net.SocketTimeoutException;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Promise;

/**
 * One connect to a backend under way, for the exchange that asked for it: it makes the {@link
 * BackendConnection} once the socket is connected, sends the exchange on it, or fails the exchange
 * ({@link FailureKind#CONNECT_TIMEOUT} when the connect timed out, else {@link
 * FailureKind#NOT_SENT}). The same object serves Jetty's {@code ClientConnector} (as connection
 * factory and promise) and a server connector's selectors that dial for the client (as the
 * channel's attachment, see {@link BackendClient#dialThrough}).
 */
public final class Dial implements ClientConnectionFactory, Promise<Connection> {
  private final BackendPool pool;
  private final BackendExchange x;

  Dial(BackendPool pool, BackendExchange x) {
    this.pool = pool;
    this.x = x;
  }

  /** The connection for the connected socket. */
  public Connection newConnection(EndPoint endPoint) {
    return new BackendConnection(endPoint, pool.executor(), pool);
  }

  @Override
  public Connection newConnection(EndPoint endPoint, java.util.Map<String, Object> context) {
    return newConnection(endPoint);
  }

  /** True if {@code endPoint} is a backend connection's (one a dial made). */
  public static boolean dialled(EndPoint endPoint) {
    return endPoint.getConnection() instanceof BackendConnection;
  }

  /** The connection is open: the exchange goes out on it. */
  @Override
  public void succeeded(Connection connection) {
    ((BackendConnection) connection).send(x);
  }

  /** The connect failed: nothing was sent. */
  @Override
  public void failed(Throwable cause) {
    pool.notOpened();
    // Jetty's selectors report a connect timeout as a SocketTimeoutException
    x.fail(
        cause instanceof SocketTimeoutException
            ? FailureKind.CONNECT_TIMEOUT
            : FailureKind.NOT_SENT,
        cause);
  }
}
