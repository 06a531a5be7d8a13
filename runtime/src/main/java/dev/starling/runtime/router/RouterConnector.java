package dev.starling.runtime.router;

import dev.starling.runtime.router.backend.Dial;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The router's listening connector, whose selectors also carry the backend client's connections
 * ({@code BackendClient.dialThrough}): a channel connected with a {@link Dial} attachment becomes
 * that dial's backend connection instead of a caller's. A proxied request and its answer are then
 * read by one selector thread, as a C epoll proxy would do it, instead of the caller's selector
 * writing the request and the client's selector, on another thread, reading the answer (two epoll
 * loops and a thread switch per request).
 */
final class RouterConnector extends ServerConnector {
  RouterConnector(Server server, ConnectionFactory... factories) {
    super(server, factories);
  }

  @Override
  protected SelectorManager newSelectorManager(
      Executor executor, Scheduler scheduler, int selectors) {
    return new ServerConnectorManager(executor, scheduler, selectors) {
      @Override
      public Connection newConnection(SelectableChannel channel, EndPoint endPoint, Object att)
          throws IOException {
        return att instanceof Dial d
            ? d.newConnection(endPoint)
            : super.newConnection(channel, endPoint, att);
      }

      /**
       * A backend connection is not one of this connector's: not counted, so a graceful stop does
       * not wait for the pool's idle keep-alive connections (they close with the selectors).
       */
      @Override
      protected void endPointOpened(EndPoint endPoint) {
        if (!Dial.dialled(endPoint)) {
          super.endPointOpened(endPoint);
        }
      }

      @Override
      protected void endPointClosed(EndPoint endPoint) {
        if (!Dial.dialled(endPoint)) {
          super.endPointClosed(endPoint);
        }
      }

      @Override
      public void connectionOpened(Connection connection, Object att) {
        super.connectionOpened(connection, att);
        if (att instanceof Dial d) {
          d.succeeded(connection);
        }
      }

      @Override
      protected void connectionFailed(SelectableChannel channel, Throwable cause, Object att) {
        if (att instanceof Dial d) {
          d.failed(cause);
        } else {
          super.connectionFailed(channel, cause, att);
        }
      }
    };
  }
}
