package dev.starling.runtime.pipeline;

import java.util.List;

/**
 * A decoded inference request. {@code outputs} is null when the client asked for every output;
 * {@code parameters} is the raw JSON of the request's parameters object, or null.
 */
public record InferRequest(
    String id, List<InferInput> inputs, List<String> outputs, String parameters) {}
