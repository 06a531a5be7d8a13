package dev.starling.runtime.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.starling.runtime.config.LimitsConfig;

/** Builds the JSON factory every request is read with, bounded by the configured limits. */
public final class JsonLimits {
  private JsonLimits() {}

  public static JsonFactory factory(LimitsConfig limits, long maxDocumentBytes) {
    return JsonFactory.builder()
        .streamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxJsonDepth())
                .maxStringLength(limits.maxStringLength())
                .maxNumberLength(limits.maxNumberLength())
                .maxNameLength(Math.min(limits.maxStringLength(), 50_000))
                .maxDocumentLength(maxDocumentBytes)
                .build())
        .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
        .build();
  }
}
