package dev.starling.runtime.pipeline;

import dev.starling.runtime.model.Datatype;

/**
 * One decoded request tensor. {@code defaulted}, for a named-feature input only, counts per feature
 * column the rows that left the feature out and got its configured default (null otherwise): drift
 * monitoring counts those as missing values, since the tensor itself cannot show them.
 */
public record InferInput(
    String name, Datatype datatype, long[] shape, TensorData data, long[] defaulted) {

  public InferInput(String name, Datatype datatype, long[] shape, TensorData data) {
    this(name, datatype, shape, data, null);
  }
}
