package dev.starling.runtime.router;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 keep-alive client over one socket, for the load loops: on two shared cores the
 * JDK client's own threads cost more CPU than the router under test, which would make the suite
 * slow without testing anything more. Reads Content-Length and chunked bodies; reconnects after
 * {@code Connection: close} or a broken connection.
 */
final class LoopbackClient implements AutoCloseable {
  private final int port;
  private final int readTimeoutMillis;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  LoopbackClient(int port, int readTimeoutMillis) {
    this.port = port;
    this.readTimeoutMillis = readTimeoutMillis;
  }

  /** A response: status, lower-cased header names, body text. */
  record Response(int status, Map<String, String> headers, String body) {}

  Response exchange(String method, String path, Map<String, String> headers, byte[] body)
      throws IOException {
    if (socket == null) {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(readTimeoutMillis);
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      out = socket.getOutputStream();
    }
    try {
      StringBuilder head = new StringBuilder(256);
      head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:");
      head.append(port).append("\r\n");
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      Response r = read();
      if ("close".equalsIgnoreCase(r.headers().get("connection"))) {
        close();
      }
      return r;
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  private Response read() throws IOException {
    String status = line();
    int code = Integer.parseInt(status.split(" ", 3)[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      headers.put(
          h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    byte[] body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      for (int size = Integer.parseInt(line().split(";")[0].trim(), 16);
          size > 0;
          size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
        buf.writeBytes(in.readNBytes(size));
        line();
      }
      line();
      body = buf.toByteArray();
    } else {
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      body = in.readNBytes(length);
      if (body.length < length) {
        throw new EOFException("body ended after " + body.length + " of " + length + " bytes");
      }
    }
    return new Response(code, headers, new String(body, StandardCharsets.UTF_8));
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder(64);
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new EOFException("connection closed");
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
      socket = null;
    }
  }
}
