package dev.starling.runtime.router;

/** Describes a failed exchange with a backend for the error body and the log. */
final class Failures {
  private Failures() {}

  /** A short description for the error body and the log. */
  static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    return root.getClass().getSimpleName() + (msg == null || msg.isBlank() ? "" : ": " + msg);
  }
}
