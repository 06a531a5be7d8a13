package dev.starling.runtime.http;

/**
 * One of the three inference paths, matched by hand for the fast path: {@code POST
 * /v2/models/{m}/infer}, {@code /v2/models/{m}/versions/{v}/infer} and {@code
 * /v1/models/{m}:predict}. Only plain spellings match — names of letters, digits, {@code . _ -}
 * (not {@code .} or {@code ..}), no percent-escapes, no trailing slash — so a match means exactly
 * what Javalin's route would have extracted; every other spelling goes to Javalin, which answers it
 * as it always did.
 *
 * @param pattern the Javalin route the path belongs to (what access control decides on)
 */
record InferRoute(boolean v1, String model, String version, String pattern) {
  static final String V2 = "/v2/models/{model}/infer";
  static final String V2_VERSION = "/v2/models/{model}/versions/{version}/infer";
  static final String V1 = "/v1/models/{model}:predict";

  private static final String V2_PREFIX = "/v2/models/";
  private static final String V1_PREFIX = "/v1/models/";
  private static final String VERSIONS = "/versions/";
  private static final String INFER = "/infer";
  private static final String PREDICT = ":predict";

  /**
   * The route of a raw (still percent-encoded) request path, or null. Examples: {@code
   * /v2/models/iris/infer} → (v2, iris); {@code /v2/models/iris/versions/1/infer} → (v2, iris, 1);
   * {@code /v1/models/iris:predict} → (v1, iris); {@code /v2/models/ir%69s/infer} → null.
   */
  static InferRoute match(String path) {
    if (path.startsWith(V2_PREFIX) && path.endsWith(INFER)) {
      int slash = path.indexOf('/', V2_PREFIX.length());
      if (slash < 0) {
        return null;
      }
      String model = path.substring(V2_PREFIX.length(), slash);
      if (!plain(model)) {
        return null;
      }
      if (slash + INFER.length() == path.length()) {
        return new InferRoute(false, model, null, V2);
      }
      if (path.startsWith(VERSIONS, slash)
          && slash + VERSIONS.length() <= path.length() - INFER.length()) {
        String version = path.substring(slash + VERSIONS.length(), path.length() - INFER.length());
        return plain(version) ? new InferRoute(false, model, version, V2_VERSION) : null;
      }
      return null;
    }
    if (path.startsWith(V1_PREFIX) && path.endsWith(PREDICT)) {
      String model = path.substring(V1_PREFIX.length(), path.length() - PREDICT.length());
      return plain(model) ? new InferRoute(true, model, null, V1) : null;
    }
    return null;
  }

  private static boolean plain(String segment) {
    if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
      return false;
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
