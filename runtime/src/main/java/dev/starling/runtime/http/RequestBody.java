package dev.starling.runtime.http;

import java.io.IOException;
import java.io.InputStream;

/** A request body as the HTTP layer has it: declared content type and length, and the stream. */
interface RequestBody {
  /** The Content-Type header, or null. */
  String contentType();

  /** The Content-Length header, or -1 when the body is chunked. */
  long contentLength();

  InputStream stream() throws IOException;

  /**
   * The whole body when the server has already read it (the fast path reads it without holding a
   * thread, {@link BodyReader}), or null: read {@link #stream()}. Throws what the read ended with
   * (an {@link IOException} whose cause is a {@link java.util.concurrent.TimeoutException} for a
   * body too slow, a 413 for one too large).
   */
  default byte[] readAhead() throws IOException {
    return null;
  }

  /**
   * {@link System#nanoTime()} when the request arrived, as the server knows it (the request timer
   * starts there, so time spent before a handler ran, waiting for a thread or a core, is in it);
   * now when the caller cannot tell.
   */
  default long arrivedNanos() {
    return System.nanoTime();
  }
}
