package dev.starling.runtime.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before any route runs (a malformed request line, an ambiguous path
 * with {@code ..}, headers too large), in the same {@code {"error"}} shape as everything else.
 */
final class JsonErrorHandler extends ErrorHandler {
  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    String text = describe(code, message);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    // Jetty closes the connection after answering a request it could not parse; say so, or a
    // keep-alive client sends its next request into a dead socket.
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    response.write(true, ByteBuffer.wrap(ErrorResponses.body(text)), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
    fields.put(new HttpField(HttpHeader.CONNECTION, "close"));
    return ByteBuffer.wrap(ErrorResponses.body(describe(status, reason)));
  }

  /** "Bad Request: reason", without repeating the status text when the reason is the same. */
  private static String describe(int code, String message) {
    String status = HttpStatus.getMessage(code);
    return message == null || message.isBlank() || message.equals(status)
        ? status
        : status + ": " + message;
  }
}
