package dev.starling.runtime.drift;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one sample out of a Prometheus text exposition, by metric name and labels. */
public final class PrometheusText {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

  private PrometheusText() {}

  /** The value of the sample of {@code name} whose labels include {@code labels}; NaN if none. */
  public static double value(String text, String name, Map<String, String> labels) {
    Matcher m = SAMPLE.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(name) && matches(m.group(2), labels)) {
        return Double.parseDouble(m.group(3));
      }
    }
    return Double.NaN;
  }

  /** A counter's value; 0 while the series does not exist yet. */
  public static double count(String text, String name, Map<String, String> labels) {
    double v = value(text, name, labels);
    return Double.isNaN(v) ? 0 : v;
  }

  private static boolean matches(String labelText, Map<String, String> want) {
    Matcher l = LABEL.matcher(labelText);
    int found = 0;
    while (l.find()) {
      String v = want.get(l.group(1));
      if (v != null) {
        if (!v.equals(l.group(2))) {
          return false;
        }
        found++;
      }
    }
    return found == want.size();
  }
}
