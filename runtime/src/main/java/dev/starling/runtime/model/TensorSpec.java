package dev.starling.runtime.model;

import java.util.Arrays;

/**
 * One input or output of a model as the protocol describes it: shape dims of -1 are free
 * (symbolic); {@code dimNames} keeps the symbol so that inputs sharing one must agree.
 */
public record TensorSpec(String name, Datatype datatype, long[] shape, String[] dimNames) {

  public int rank() {
    return shape.length;
  }

  /** True when the first dimension is free, i.e. rows can be stacked along it. */
  public boolean batchable() {
    return shape.length > 0 && shape[0] < 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t
        && name.equals(t.name)
        && datatype == t.datatype
        && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + ":" + datatype + Arrays.toString(shape);
  }
}
