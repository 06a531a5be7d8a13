package dev.starling.runtime.pipeline;

import dev.starling.runtime.model.ServedModel;

/** Told of every successful OIP v2 infer answer, with the exact bytes the client gets. */
@FunctionalInterface
public interface InferenceListener {
  InferenceListener NONE = (model, response) -> {};

  void answeredV2(ServedModel model, byte[] response);
}
