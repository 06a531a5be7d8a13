package dev.starling.runtime.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.starling.runtime.model.Datatype;
import dev.starling.runtime.model.ModelSignature;
import dev.starling.runtime.model.TensorSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an Open Inference Protocol v2 infer request body in one streaming pass, straight into
 * native buffers: no JSON tree, no boxed numbers. The model's signature tells the element type of
 * each input, so {@code data} may come before or after {@code datatype} and {@code shape}. Every
 * structural and value problem becomes a 400 that names the input; limits from {@link JsonLimits}
 * bound depth, string and number length.
 */
public final class InferRequestDecoder {
  private static final int MAX_RANK = 8;

  private final JsonFactory factory;
  private final long maxElements;

  public InferRequestDecoder(JsonFactory factory, long maxElements) {
    this.factory = factory;
    this.maxElements = maxElements;
  }

  public InferRequest decode(byte[] body, ModelSignature signature, DirectArena arena) {
    try (JsonParser p = factory.createParser(body)) {
      return new Run(p, signature, arena, body).request();
    } catch (ApiException e) {
      throw e;
    } catch (IOException e) {
      throw JsonErrors.badJson(e);
    }
  }

  /** The state of one decode. */
  private final class Run {
    private final JsonParser p;
    private final ModelSignature signature;
    private final DirectArena arena;
    private final byte[] body;
    private final int bodyLength;
    private long elementsLeft = maxElements;

    Run(JsonParser p, ModelSignature signature, DirectArena arena, byte[] body) {
      this.p = p;
      this.signature = signature;
      this.arena = arena;
      this.body = body;
      this.bodyLength = body.length;
    }

    InferRequest request() throws IOException {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw ApiException.badRequest("request body must be a JSON object with an 'inputs' array");
      }
      String id = null;
      List<InferInput> inputs = null;
      List<String> outputs = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "id" -> id = string(t, "'id'");
          case "inputs" -> inputs = inputs(t);
          case "outputs" -> outputs = outputs(t);
          case "parameters" -> object(t, "'parameters'");
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw ApiException.badRequest("unexpected content after the request object");
      }
      if (inputs == null) {
        throw ApiException.badRequest("'inputs' is required");
      }
      return new InferRequest(id, inputs, outputs, null);
    }

    private List<InferInput> inputs(JsonToken t) throws IOException {
      if (t != JsonToken.START_ARRAY) {
        throw ApiException.badRequest("'inputs' must be an array of tensors");
      }
      List<InferInput> list = new ArrayList<>(signature.inputs().size());
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t != JsonToken.START_OBJECT) {
          throw ApiException.badRequest("inputs[" + list.size() + "] must be an object");
        }
        list.add(input(list.size()));
      }
      return list;
    }

    private List<String> outputs(JsonToken t) throws IOException {
      if (t != JsonToken.START_ARRAY) {
        throw ApiException.badRequest("'outputs' must be an array of {\"name\": ...} objects");
      }
      List<String> names = new ArrayList<>();
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t != JsonToken.START_OBJECT) {
          throw ApiException.badRequest("outputs[" + names.size() + "] must be an object");
        }
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken v = p.nextToken();
          if (field.equals("name")) {
            name = string(v, "outputs[" + names.size() + "].name");
          } else {
            p.skipChildren();
          }
        }
        if (name == null) {
          throw ApiException.badRequest("outputs[" + names.size() + "].name is required");
        }
        names.add(name);
      }
      return names;
    }

    private InferInput input(int index) throws IOException {
      String name = null;
      Datatype declared = null;
      long[] shape = null;
      TensorData data = null;
      long pendingFrom = -1;
      long pendingTo = -1;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        String label = name == null ? "inputs[" + index + "]" : "input '" + name + "'";
        switch (field) {
          case "name" -> {
            name = string(t, "inputs[" + index + "].name");
            if (signature.input(name) == null) {
              throw unknownInput(name);
            }
            declared = checkDatatype(name, declared);
          }
          case "datatype" -> {
            String raw = string(t, label + ".datatype");
            declared = Datatype.parse(raw);
            if (declared == null) {
              throw ApiException.badRequest(label + ": unknown datatype '" + clip(raw) + "'");
            }
            declared = checkDatatype(name, declared);
          }
          case "shape" -> shape = shape(t, label);
          case "data" -> {
            Datatype type = name != null ? signature.input(name).datatype() : declared;
            if (type == null) {
              // 'data' came before 'name' and 'datatype': keep its tokens and type them later.
              // Remember where the array lies in the body and read it again once typed.
              pendingFrom = p.currentTokenLocation().getByteOffset();
              p.skipChildren();
              pendingTo = p.currentLocation().getByteOffset();
            } else {
              data = typedData(p, t, type, shape, label);
            }
          }
          case "parameters" -> object(t, label + ".parameters");
          default -> p.skipChildren();
        }
      }
      String label = name == null ? "inputs[" + index + "]" : "input '" + name + "'";
      if (name == null) {
        throw ApiException.badRequest(label + ": 'name' is required");
      }
      if (declared == null) {
        throw ApiException.badRequest(label + ": 'datatype' is required");
      }
      if (shape == null) {
        throw ApiException.badRequest(label + ": 'shape' is required");
      }
      if (pendingFrom >= 0) {
        try (JsonParser tp =
            factory.createParser(body, (int) pendingFrom, (int) (pendingTo - pendingFrom))) {
          data = typedData(tp, tp.nextToken(), declared, shape, label);
        }
      }
      if (data == null) {
        throw ApiException.badRequest(label + ": 'data' is required");
      }
      // This input's data is already off the budget: weigh its shape against what was left before.
      long expected = count(shape, elementsLeft + data.count(), label);
      if (expected != data.count()) {
        throw ApiException.badRequest(
            label
                + ": shape "
                + Shapes.toString(shape)
                + " holds "
                + expected
                + " elements but 'data' has "
                + data.count());
      }
      return new InferInput(name, declared, shape, data);
    }

    /** Refuses a declared datatype that is not the model's, as soon as both are known. */
    private Datatype checkDatatype(String name, Datatype declared) {
      if (name != null && declared != null) {
        Datatype want = signature.input(name).datatype();
        if (want != declared) {
          throw ApiException.badRequest(
              "input '" + name + "': datatype " + declared + " does not match the model's " + want);
        }
      }
      return declared;
    }

    private long count(long[] shape, long limit, String label) {
      long n = Shapes.elementCount(shape, limit);
      if (n < 0) {
        throw ApiException.badRequest(
            label
                + ": shape "
                + Shapes.toString(shape)
                + " exceeds the limit of "
                + maxElements
                + " elements per request");
      }
      return n;
    }

    private long[] shape(JsonToken t, String label) throws IOException {
      if (t != JsonToken.START_ARRAY) {
        throw ApiException.badRequest(label + ": 'shape' must be an array of integers");
      }
      long[] dims = new long[MAX_RANK];
      int rank = 0;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t != JsonToken.VALUE_NUMBER_INT) {
          throw ApiException.badRequest(label + ": 'shape' must be an array of integers");
        }
        if (rank == MAX_RANK) {
          throw ApiException.badRequest(
              label + ": 'shape' has more than " + MAX_RANK + " dimensions");
        }
        long d = JsonErrors.longValue(p, label + ": 'shape'");
        if (d < 0) {
          throw ApiException.badRequest(label + ": 'shape' has a negative dimension " + d);
        }
        dims[rank++] = d;
      }
      return java.util.Arrays.copyOf(dims, rank);
    }

    private TensorData typedData(
        JsonParser p, JsonToken t, Datatype type, long[] shape, String label) throws IOException {
      long expected = shape == null ? -1 : count(shape, elementsLeft, label);
      // Every element takes at least two bytes of JSON ("0,"), so a shape that claims more than
      // the body could hold is refused before any memory is set aside for it.
      if (expected > bodyLength / 2 + 1) {
        throw ApiException.badRequest(
            label
                + ": shape "
                + Shapes.toString(shape)
                + " holds "
                + expected
                + " elements, more than a "
                + bodyLength
                + "-byte body can carry");
      }
      return data(p, t, type, expected, label);
    }

    private TensorData data(JsonParser p, JsonToken t, Datatype type, long expected, String label)
        throws IOException {
      if (t != JsonToken.START_ARRAY) {
        throw ApiException.badRequest(label + ": 'data' must be an array");
      }
      ElementSink sink =
          type == Datatype.BYTES
              ? new ElementSink.Strings(expected, elementsLeft)
              : new ElementSink.Numbers(type, expected, elementsLeft, arena);
      int depth = 0;
      while (true) {
        t = p.nextToken();
        if (t == JsonToken.START_ARRAY) {
          depth++;
        } else if (t == JsonToken.END_ARRAY) {
          if (depth-- == 0) {
            break;
          }
        } else if (!sink.accept(p, t)) {
          throw ApiException.badRequest(
              label
                  + ".data has more elements than "
                  + (expected >= 0
                      ? "its shape holds (" + expected + ")"
                      : "the limit of " + maxElements + " per request"));
        } else if (sink.lastError() != null) {
          throw ApiException.badRequest(
              label + ": data[" + (sink.count() - 1) + "]: " + sink.lastError());
        }
      }
      elementsLeft -= sink.count();
      return sink.finish();
    }

    private String string(JsonToken t, String what) throws IOException {
      if (t != JsonToken.VALUE_STRING) {
        throw ApiException.badRequest(what + " must be a string");
      }
      return p.getText();
    }

    private void object(JsonToken t, String what) throws IOException {
      if (t != JsonToken.START_OBJECT) {
        throw ApiException.badRequest(what + " must be an object");
      }
      p.skipChildren();
    }

    private ApiException unknownInput(String name) {
      return ApiException.badRequest(
          "unknown input '"
              + clip(name)
              + "'; the model's inputs are "
              + signature.inputs().stream().map(TensorSpec::name).toList());
    }
  }

  static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
