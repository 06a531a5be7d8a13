package dev.starling.runtime.pipeline;

import dev.starling.runtime.model.ModelSignature;
import dev.starling.runtime.model.TensorSpec;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a decoded request against the model's signature before ONNX Runtime sees it: every input
 * present once, ranks and fixed dimensions equal, inputs that share a named free dimension agree on
 * it, requested outputs exist. (Names, datatypes and element counts are checked while decoding.)
 */
public final class RequestValidator {
  private RequestValidator() {}

  public static void validate(InferRequest req, ModelSignature sig) {
    Set<String> seen = new HashSet<>();
    Map<String, Long> symbols = new HashMap<>();
    for (InferInput in : req.inputs()) {
      if (!seen.add(in.name())) {
        throw ApiException.badRequest("input '" + in.name() + "' appears more than once");
      }
      TensorSpec spec = sig.input(in.name());
      long[] want = spec.shape();
      long[] got = in.shape();
      if (want.length != got.length) {
        throw ApiException.badRequest(
            "input '"
                + in.name()
                + "': shape "
                + Shapes.toString(got)
                + " has rank "
                + got.length
                + ", the model expects rank "
                + want.length
                + " "
                + describe(spec));
      }
      for (int d = 0; d < want.length; d++) {
        if (want[d] >= 0 && want[d] != got[d]) {
          throw ApiException.badRequest(
              "input '"
                  + in.name()
                  + "': dimension "
                  + d
                  + " is "
                  + got[d]
                  + ", the model expects "
                  + want[d]
                  + " "
                  + describe(spec));
        }
        String symbol =
            spec.dimNames() != null && d < spec.dimNames().length ? spec.dimNames()[d] : null;
        if (want[d] < 0 && symbol != null && !symbol.isEmpty()) {
          Long prev = symbols.putIfAbsent(symbol, got[d]);
          if (prev != null && prev != got[d]) {
            throw ApiException.badRequest(
                "input '"
                    + in.name()
                    + "': dimension '"
                    + symbol
                    + "' is "
                    + got[d]
                    + " here but "
                    + prev
                    + " in another input");
          }
        }
      }
      // Decoded V2 data is counted while decoding; V1 instances ragged below the row are not.
      long count = Shapes.elementCount(got, Long.MAX_VALUE);
      if (count != in.data().count()) {
        throw ApiException.badRequest(
            "input '"
                + in.name()
                + "': shape "
                + Shapes.toString(got)
                + " holds "
                + count
                + " elements but "
                + in.data().count()
                + " were given");
      }
    }
    if (seen.size() != sig.inputs().size()) {
      List<String> missing =
          sig.inputs().stream().map(TensorSpec::name).filter(n -> !seen.contains(n)).toList();
      throw ApiException.badRequest("missing inputs " + missing);
    }
    if (req.outputs() != null) {
      Set<String> outs = new HashSet<>();
      for (String o : req.outputs()) {
        if (sig.output(o) == null) {
          throw ApiException.badRequest(
              "unknown output '"
                  + InferRequestDecoder.clip(o)
                  + "'; the model's outputs are "
                  + sig.outputs().stream().map(TensorSpec::name).toList());
        }
        if (!outs.add(o)) {
          throw ApiException.badRequest("output '" + o + "' is requested more than once");
        }
      }
      if (outs.isEmpty()) {
        throw ApiException.badRequest("'outputs' is empty; leave it out to get every output");
      }
    }
  }

  private static String describe(TensorSpec spec) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < spec.shape().length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(spec.shape()[i] < 0 ? "-1" : Long.toString(spec.shape()[i]));
    }
    return sb.append(']').toString();
  }
}
