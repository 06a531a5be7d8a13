package dev.starling.runtime.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A model's inputs and outputs, in the model's own order, looked up by name. */
public final class ModelSignature {
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private final Map<String, TensorSpec> inputsByName = new HashMap<>();
  private final Map<String, TensorSpec> outputsByName = new HashMap<>();

  public ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    inputs.forEach(t -> inputsByName.put(t.name(), t));
    outputs.forEach(t -> outputsByName.put(t.name(), t));
  }

  public List<TensorSpec> inputs() {
    return inputs;
  }

  public List<TensorSpec> outputs() {
    return outputs;
  }

  public TensorSpec input(String name) {
    return inputsByName.get(name);
  }

  public TensorSpec output(String name) {
    return outputsByName.get(name);
  }
}
