package dev.starling.runtime.pipeline;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;

/** Turns the JSON parser's failures into client errors without echoing input or locations back. */
public final class JsonErrors {
  private JsonErrors() {}

  public static ApiException badJson(IOException e) {
    if (e instanceof StreamConstraintsException c) {
      return ApiException.badRequest(
          "request exceeds a limit: " + firstLine(c.getOriginalMessage()));
    }
    if (e instanceof JacksonException j) {
      String msg = j.getOriginalMessage();
      if (msg != null && msg.startsWith("Unexpected end-of-input")) {
        return ApiException.badRequest("request body is not complete JSON (it ends too early)");
      }
      return ApiException.badRequest("request body is not valid JSON: " + firstLine(msg));
    }
    return ApiException.badRequest(
        "request body could not be read: " + e.getClass().getSimpleName());
  }

  static long longValue(JsonParser p, String what) throws IOException {
    try {
      return p.getLongValue();
    } catch (InputCoercionException e) {
      throw ApiException.badRequest(
          what + ": " + InferRequestDecoder.clip(p.getText()) + " is too large");
    }
  }

  private static String firstLine(String msg) {
    if (msg == null) {
      return "malformed";
    }
    int nl = msg.indexOf('\n');
    String line = nl < 0 ? msg : msg.substring(0, nl);
    return line.length() <= 200 ? line : line.substring(0, 200) + "…";
  }
}
