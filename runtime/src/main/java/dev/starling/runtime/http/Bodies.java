package dev.starling.runtime.http;

import dev.starling.runtime.pipeline.ApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.eclipse.jetty.http.BadMessageException;

/** Reads a request body within the size limit and checks that it is JSON. */
final class Bodies {
  /** Bytes of a declared body allocated before any of it arrived. */
  static final int EAGER_BYTES = 1024 * 1024;

  private Bodies() {}

  static byte[] readJson(RequestBody request, long maxBytes) {
    ApiException refused = refusal(request, maxBytes);
    if (refused != null) {
      throw refused;
    }
    long length = request.contentLength();
    byte[] body;
    try {
      byte[] ahead = request.readAhead();
      if (ahead != null) {
        body = ahead;
      } else {
        InputStream in = request.stream();
        body = length >= 0 ? readDeclared(in, (int) length) : readBounded(in, maxBytes);
      }
    } catch (BadMessageException e) {
      // The servlet layer's own check of server.minRequestDataRate (a body that drips in).
      if (e.getCode() == 408) {
        throw new ApiException(
            408, "request body did not arrive in time; the connection is closed");
      }
      throw e;
    } catch (IOException e) {
      if (timedOut(e)) {
        throw new ApiException(
            408, "request body did not arrive in time; the connection is closed");
      }
      throw ApiException.badRequest("request body could not be read (the client broke off)");
    }
    if (length >= 0 && body.length < length) {
      throw ApiException.badRequest("request body ended before its Content-Length");
    }
    if (body.length == 0) {
      throw ApiException.badRequest("request body is empty; send a JSON inference request");
    }
    return body;
  }

  /**
   * What a request is refused for before any of its body is read: 415 for a Content-Type that is
   * not JSON, 413 for a declared length over the limit; null when its body is to be read.
   */
  static ApiException refusal(RequestBody request, long maxBytes) {
    String type = request.contentType();
    if (type != null && !isJson(type)) {
      return new ApiException(
          415, "Content-Type must be application/json, got '" + clip(type) + "'");
    }
    long length = request.contentLength();
    if (length > maxBytes) {
      return new ApiException(
          413, "request body of " + length + " bytes exceeds the limit of " + maxBytes + " bytes");
    }
    return null;
  }

  /** The 413 of a body without a declared length that grew past the limit. */
  static ApiException tooLarge(long maxBytes) {
    return new ApiException(413, "request body exceeds the limit of " + maxBytes + " bytes");
  }

  /**
   * Reads a body of a declared length into one array of that length: {@code readNBytes(n)} reads
   * into chunks and then copies them into the result, holding the body twice at its peak (a 30 MB
   * batch grew the heap by 60 MB). Only the first {@link #EAGER_BYTES} are allocated on the
   * client's word; the rest once that much has arrived, so a request that declares a large body and
   * sends nothing holds no more than that. A body that ends early comes back short.
   */
  static byte[] readDeclared(InputStream in, int length) throws IOException {
    int first = Math.min(length, EAGER_BYTES);
    byte[] head = new byte[first];
    int n = in.readNBytes(head, 0, first);
    if (n < first) {
      return Arrays.copyOf(head, n);
    }
    if (first == length) {
      return head;
    }
    byte[] body = Arrays.copyOf(head, length);
    int rest = in.readNBytes(body, first, length - first);
    return rest < length - first ? Arrays.copyOf(body, first + rest) : body;
  }

  private static byte[] readBounded(InputStream in, long maxBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    byte[] buf = new byte[8192];
    long total = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
      total += n;
      if (total > maxBytes) {
        throw tooLarge(maxBytes);
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException
          || (t.getMessage() != null && t.getMessage().contains("timeout"))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isJson(String contentType) {
    String t = contentType.toLowerCase(java.util.Locale.ROOT);
    int semi = t.indexOf(';');
    String base = (semi < 0 ? t : t.substring(0, semi)).trim();
    return base.equals("application/json")
        || (base.startsWith("application/") && base.endsWith("+json"));
  }

  private static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
