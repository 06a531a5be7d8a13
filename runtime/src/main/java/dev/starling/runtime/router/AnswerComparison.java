package dev.starling.runtime.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Compares a shadow's answer with the live one, off the request path. Two answers agree when every
 * row has the same top answer: for OIP v2 the first output's value (a label tensor, one element per
 * row) or argmax (scores, several per row); for KServe V1 each prediction's {@code label}, argmax,
 * or value. Floating-point outputs (v2; every number for V1) also give the largest absolute and
 * relative difference; with {@code maxAbsDiff} set, a larger absolute difference is a disagreement
 * too. Integer outputs (class ids) count only through the label.
 */
public final class AnswerComparison {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one comparison found; the differences are NaN when no numbers could be paired. */
  public record Outcome(Result result, double maxAbsDiff, double maxRelDiff) {}

  /** The {@code result} label of the agreement counter. */
  public enum Result {
    AGREE,
    DISAGREE,
    ERROR;

    public String label() {
      return name().toLowerCase();
    }
  }

  private AnswerComparison() {}

  /**
   * Compares two 200 answers; a shadow answer that is not valid JSON of the same shape is ERROR.
   */
  public static Outcome compare(byte[] live, byte[] shadow, Double maxAbsDiff) {
    JsonNode l;
    JsonNode s;
    try {
      l = JSON.readTree(live);
      s = JSON.readTree(shadow);
    } catch (IOException e) {
      return error();
    }
    if (l == null || s == null) {
      return error();
    }
    List<String> liveTop;
    List<String> shadowTop;
    double[] diff = {Double.NaN, Double.NaN};
    if (l.path("outputs").isArray()) {
      JsonNode lo = l.path("outputs");
      JsonNode so = s.path("outputs");
      if (!so.isArray() || lo.isEmpty() || so.isEmpty()) {
        return error();
      }
      liveTop = topsV2(lo.get(0));
      shadowTop = topsV2(matching(so, lo.get(0), 0));
      for (int i = 0; i < lo.size(); i++) {
        JsonNode other = matching(so, lo.get(i), i);
        if (other != null && scores(lo.get(i))) {
          accumulate(diff, numbers(lo.get(i).path("data")), numbers(other.path("data")));
        }
      }
    } else if (l.path("predictions").isArray()) {
      JsonNode lp = l.path("predictions");
      JsonNode sp = s.path("predictions");
      if (!sp.isArray()) {
        return error();
      }
      liveTop = topsV1(lp);
      shadowTop = topsV1(sp);
      accumulate(diff, numbers(lp), numbers(sp));
    } else {
      return error(); // not an inference answer; nothing to compare
    }
    if (shadowTop == null) {
      return error();
    }
    boolean agree = liveTop.equals(shadowTop);
    if (agree && maxAbsDiff != null && diff[0] > maxAbsDiff) {
      agree = false;
    }
    return new Outcome(agree ? Result.AGREE : Result.DISAGREE, diff[0], diff[1]);
  }

  private static Outcome error() {
    return new Outcome(Result.ERROR, Double.NaN, Double.NaN);
  }

  /** The shadow output with the live one's name, else the one at the same position. */
  private static JsonNode matching(JsonNode shadowOutputs, JsonNode liveOutput, int index) {
    String name = liveOutput.path("name").asText();
    for (JsonNode o : shadowOutputs) {
      if (o.path("name").asText().equals(name)) {
        return o;
      }
    }
    return index < shadowOutputs.size() ? shadowOutputs.get(index) : null;
  }

  /** Floating-point outputs are scores; integer ones (class ids) only count through the label. */
  private static boolean scores(JsonNode output) {
    String datatype = output.path("datatype").asText("");
    return datatype.isEmpty() || datatype.startsWith("FP");
  }

  /** Per row of an OIP v2 output tensor: its value if one per row, else its argmax. */
  static List<String> topsV2(JsonNode output) {
    if (output == null || !output.path("data").isArray()) {
      return null;
    }
    List<JsonNode> data = new ArrayList<>();
    leaves(output.path("data"), data); // row-major, flat or nested
    JsonNode shape = output.path("shape");
    int rows = shape.isArray() && !shape.isEmpty() ? Math.max(1, shape.get(0).asInt(1)) : 1;
    int per = Math.max(1, data.size() / rows);
    List<String> tops = new ArrayList<>(rows);
    for (int r = 0; r < rows && r * per < data.size(); r++) {
      tops.add(top(data.subList(r * per, Math.min(data.size(), (r + 1) * per))));
    }
    return tops;
  }

  private static void leaves(JsonNode n, List<JsonNode> out) {
    if (n.isArray()) {
      n.forEach(c -> leaves(c, out));
    } else {
      out.add(n);
    }
  }

  /** Per KServe V1 prediction: its label, argmax or value. */
  static List<String> topsV1(JsonNode predictions) {
    List<String> tops = new ArrayList<>(predictions.size());
    for (JsonNode p : predictions) {
      tops.add(topV1(p));
    }
    return tops;
  }

  private static String topV1(JsonNode p) {
    if (p.isObject()) {
      if (p.has("label")) {
        return text(p.get("label"));
      }
      Iterator<JsonNode> fields = p.elements();
      return fields.hasNext() ? topV1(fields.next()) : "";
    }
    if (p.isArray()) {
      List<JsonNode> row = new ArrayList<>(p.size());
      p.forEach(row::add);
      return top(row);
    }
    return text(p);
  }

  /** One element: its text; several numbers: the index of the largest; otherwise all the text. */
  private static String top(List<JsonNode> row) {
    if (row.size() == 1) {
      return text(row.get(0));
    }
    int best = -1;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < row.size(); i++) {
      if (!row.get(i).isNumber()) {
        return row.toString();
      }
      double v = row.get(i).asDouble();
      if (best < 0 || v > bestValue) {
        best = i;
        bestValue = v;
      }
    }
    return "argmax=" + best;
  }

  private static String text(JsonNode n) {
    return n.isNumber() ? Double.toString(n.asDouble()) : n.asText(n.toString());
  }

  /** Every number in the tree, in document order. */
  static List<Double> numbers(JsonNode n) {
    List<Double> out = new ArrayList<>();
    collect(n, out);
    return out;
  }

  private static void collect(JsonNode n, List<Double> out) {
    if (n.isNumber()) {
      out.add(n.asDouble());
    } else if (n.isContainerNode()) {
      n.forEach(c -> collect(c, out));
    }
  }

  /** Folds the pairwise differences of two equally long number lists into {@code [abs, rel]}. */
  private static void accumulate(double[] diff, List<Double> a, List<Double> b) {
    if (a.isEmpty() || a.size() != b.size()) {
      return;
    }
    for (int i = 0; i < a.size(); i++) {
      double x = a.get(i);
      double y = b.get(i);
      double abs = Math.abs(x - y);
      double scale = Math.max(Math.abs(x), Math.abs(y));
      double rel = scale == 0 ? 0 : abs / scale;
      diff[0] = Double.isNaN(diff[0]) ? abs : Math.max(diff[0], abs);
      diff[1] = Double.isNaN(diff[1]) ? rel : Math.max(diff[1], rel);
    }
  }
}
