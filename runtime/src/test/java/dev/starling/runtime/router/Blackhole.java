package dev.starling.runtime.router;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A listening socket whose accept queue is full (it never accepts): Linux then drops new SYNs, so a
 * connect to it neither succeeds nor is refused, it times out, as on a starved machine.
 */
final class Blackhole implements AutoCloseable {
  final ServerSocket server;
  final List<Socket> queued = new ArrayList<>();

  Blackhole() throws Exception {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    for (int i = 0; i < 16; i++) {
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), 300);
        queued.add(s);
      } catch (SocketTimeoutException full) {
        s.close();
        return;
      }
    }
    throw new IllegalStateException("the accept queue never filled");
  }

  int port() {
    return server.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    for (Socket s : queued) {
      s.close();
    }
    server.close();
  }
}
