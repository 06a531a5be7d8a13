package dev.starling.runtime.router;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 server that answers each request with bytes a test writes itself, for the
 * framings and failures the backend client must handle (chunked, delimited by close, cut off,
 * silent) that a real runtime never produces on purpose.
 */
final class ScriptedBackend implements AutoCloseable {
  /** What to do with the n-th request on a connection: write these bytes, then maybe close. */
  interface Script {
    Reply answer(String requestHead, byte[] body, int requestOnConnection) throws Exception;
  }

  /**
   * Bytes to write ({@code null}: write nothing, keep silent) and whether to close afterwards;
   * {@code piece} > 0 writes them that many bytes at a time, a little apart (so the client reads
   * them in as many pieces).
   */
  record Reply(byte[] bytes, boolean close, int piece) {
    Reply(byte[] bytes, boolean close) {
      this(bytes, close, 0);
    }

    /** {@code text} kept alive, written {@code piece} bytes at a time. */
    static Reply inPieces(String text, int piece) {
      return new Reply(text.getBytes(StandardCharsets.ISO_8859_1), false, piece);
    }

    static Reply keepAlive(String text) {
      return new Reply(text.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    static Reply thenClose(String text) {
      return new Reply(text.getBytes(StandardCharsets.ISO_8859_1), true);
    }
  }

  private final ServerSocket server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();

  ScriptedBackend(Script script) {
    try {
      server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    pool.execute(
        () -> {
          while (!server.isClosed()) {
            try {
              Socket s = server.accept();
              connections.incrementAndGet();
              pool.execute(() -> serve(s, script));
            } catch (IOException e) {
              return;
            }
          }
        });
  }

  static String ok(String body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n"
        + body;
  }

  int port() {
    return server.getLocalPort();
  }

  int connections() {
    return connections.get();
  }

  int requests() {
    return requests.get();
  }

  private void serve(Socket s, Script script) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      for (int n = 1; ; n++) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        requests.incrementAndGet();
        int length = 0;
        for (String line : head.split("\r\n")) {
          if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        byte[] body = in.readNBytes(length);
        Reply r = script.answer(head, body, n);
        if (r.bytes() == null) {
          Thread.sleep(60_000); // silent
          return;
        }
        if (r.piece() > 0) {
          for (int i = 0; i < r.bytes().length; i += r.piece()) {
            out.write(r.bytes(), i, Math.min(r.piece(), r.bytes().length - i));
            out.flush();
            Thread.sleep(2);
          }
        } else {
          out.write(r.bytes());
          out.flush();
        }
        if (r.close()) {
          return;
        }
      }
    } catch (Exception e) {
      // the client went away, or the test is over
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int matched = 0;
    int c;
    while ((c = in.read()) >= 0) {
      buf.write(c);
      matched = (c == '\r' || c == '\n') ? matched + 1 : 0;
      if (matched == 4) {
        return buf.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
    pool.shutdownNow();
  }
}
