package dev.starling.runtime.pipeline;

import dev.starling.runtime.model.ServedModel;
import java.util.List;

/**
 * Sees every successful inference of a model (its inputs and outputs) after the answer is computed;
 * for monitoring such as data drift. Must be cheap and must not throw: it runs on the request path.
 */
@FunctionalInterface
public interface PredictionObserver {
  PredictionObserver NONE = (model, inputs, result) -> {};

  void observe(ServedModel model, List<InferInput> inputs, List<OutputTensor> outputs);
}
