package dev.starling.operator.desired;

import java.util.Optional;

/**
 * Where a version's model comes from, decoded from {@code model.uri}.
 *
 * <p>Examples: {@code https://m.example.com/iris.onnx} is fetched by an init container into the
 * {@code /models} emptyDir; {@code pvc://models/iris/1/model.onnx} mounts claim {@code models}
 * read-only at {@code /models/pvc} and serves {@code /models/pvc/iris/1/model.onnx}; {@code
 * file:///opt/models/iris.onnx} is already in the image.
 *
 * @param kind how the file reaches the pod
 * @param uri the URI as written in the spec
 * @param claim the PersistentVolumeClaim, for {@link Kind#PVC}
 * @param runtimeUri what the runtime's {@code models[].source.uri} points at
 */
public record ModelLocation(Kind kind, String uri, Optional<String> claim, String runtimeUri) {

  public static final String MODELS_DIR = "/models";
  public static final String FETCHED_FILE = MODELS_DIR + "/model.onnx";
  public static final String PVC_MOUNT = MODELS_DIR + "/pvc";

  /** How the model file reaches the runtime container. */
  public enum Kind {
    HTTPS,
    PVC,
    FILE
  }

  /** Decodes a URI the CRD already validated; throws on anything else. */
  public static ModelLocation parse(String uri) {
    if (uri.startsWith("https://")) {
      return new ModelLocation(Kind.HTTPS, uri, Optional.empty(), "file://" + FETCHED_FILE);
    }
    if (uri.startsWith("pvc://")) {
      String rest = uri.substring("pvc://".length());
      int slash = rest.indexOf('/');
      if (slash <= 0 || slash == rest.length() - 1) {
        throw new IllegalArgumentException("pvc URI must be pvc://<claim>/<path>: " + uri);
      }
      return new ModelLocation(
          Kind.PVC,
          uri,
          Optional.of(rest.substring(0, slash)),
          "file://" + PVC_MOUNT + "/" + rest.substring(slash + 1));
    }
    if (uri.startsWith("file:///")) {
      return new ModelLocation(Kind.FILE, uri, Optional.empty(), uri);
    }
    throw new IllegalArgumentException("unsupported model URI scheme: " + uri);
  }
}
