package dev.starling.runtime.pipeline;

import dev.starling.runtime.model.Datatype;

/** One decoded request tensor. */
public record InferInput(String name, Datatype datatype, long[] shape, TensorData data) {}
