package dev.starling.runtime.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.starling.runtime.config.LimitsConfig;
import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.pipeline.ApiException;
import dev.starling.runtime.pipeline.DirectArena;
import dev.starling.runtime.pipeline.InferRequest;
import dev.starling.runtime.pipeline.InferRequestDecoder;
import dev.starling.runtime.pipeline.JsonLimits;
import dev.starling.runtime.pipeline.RequestValidator;
import dev.starling.runtime.testing.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz target for the request decoder and validator: any bytes must end in a decoded, valid request
 * or an {@link ApiException} (a 4xx); any other exception or error is a crash. Surefire runs it on
 * the seed corpus (resources next to this class); the Failsafe execution {@code fuzz} runs it in
 * fuzzing mode for a bounded time.
 */
class RequestDecoderFuzzTest {
  private static OnnxModel iris;
  private static OnnxModel types;
  private static InferRequestDecoder decoder;

  @BeforeAll
  static void load() {
    iris = OnnxModel.load(Samples.model("iris"), "x", 1);
    types = OnnxModel.load(Samples.model("types"), "y", 1);
    LimitsConfig limits = LimitsConfig.defaults();
    decoder = new InferRequestDecoder(JsonLimits.factory(limits, 1 << 20), 1 << 16);
  }

  @AfterAll
  static void close() {
    iris.close();
    types.close();
  }

  @FuzzTest(maxDuration = "60s")
  void decodeAndValidateNeverCrash(byte[] body) {
    for (OnnxModel m : new OnnxModel[] {iris, types}) {
      DirectArena arena = DirectArena.local();
      try {
        InferRequest req = decoder.decode(body, m.signature(), arena);
        RequestValidator.validate(req, m.signature());
      } catch (ApiException e) {
        if (e.status() < 400 || e.status() >= 500) {
          throw new IllegalStateException("decoder answered " + e.status() + ": " + e.getMessage());
        }
      } finally {
        arena.reset();
      }
    }
  }
}
