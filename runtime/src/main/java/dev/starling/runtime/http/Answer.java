package dev.starling.runtime.http;

import dev.starling.runtime.pipeline.ApiException;

/**
 * An HTTP answer without any framework: status, JSON body, and the headers an inference answer may
 * carry ({@code Retry-After}, {@code WWW-Authenticate}, {@code Connection: close}). Javalin's
 * routes and the Jetty fast path both write it, so both answer alike.
 */
record Answer(int status, byte[] body, int retryAfterSeconds, String challenge, boolean close) {

  static Answer ok(byte[] body, boolean close) {
    return new Answer(200, body, 0, null, close);
  }

  static Answer error(ApiException e, boolean close) {
    return new Answer(
        e.status(),
        ErrorResponses.body(e.getMessage()),
        e.retryAfterSeconds(),
        e.challenge(),
        close);
  }

  static Answer internalError(boolean close) {
    return new Answer(500, ErrorResponses.body(ErrorResponses.INTERNAL), 0, null, close);
  }
}
