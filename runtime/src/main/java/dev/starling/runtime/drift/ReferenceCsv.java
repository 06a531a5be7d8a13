package dev.starling.runtime.drift;

import dev.starling.runtime.config.FeatureConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A reference data set read from CSV (a header row of feature names, comma-separated, optional
 * double quotes) and encoded the way the model sees it: one column per feature, categories as their
 * index, booleans as 0/1, empty cells as the feature's default. Columns the features do not name
 * (e.g. a ground-truth label) are skipped and listed in {@link #ignored()}.
 */
public record ReferenceCsv(
    List<FeatureConfig> features, double[][] columns, int rows, List<String> ignored) {

  /** Reads {@code file} for {@code features} (in the model's column order). */
  public static ReferenceCsv read(Path file, List<FeatureConfig> features) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String headerLine = in.readLine();
      if (headerLine == null) {
        throw new IllegalArgumentException(file + " is empty; it needs a header row");
      }
      List<String> header = split(headerLine.replace("\uFEFF", ""));
      Map<String, Integer> at = new HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        at.put(header.get(i).strip(), i);
      }
      int[] source = new int[features.size()];
      for (int f = 0; f < features.size(); f++) {
        FeatureConfig c = features.get(f);
        source[f] = at.getOrDefault(c.name(), -1);
        if (source[f] < 0 && c.defaultValue() == null) {
          throw new IllegalArgumentException(
              file + ": no column '" + c.name() + "' (header: " + header + ")");
        }
      }
      List<String> ignored =
          header.stream()
              .map(String::strip)
              .filter(h -> features.stream().noneMatch(c -> c.name().equals(h)))
              .toList();
      List<double[]> rows = new ArrayList<>();
      String line;
      int lineNo = 1;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        List<String> cells = split(line);
        double[] row = new double[features.size()];
        for (int f = 0; f < features.size(); f++) {
          String cell = source[f] < 0 || source[f] >= cells.size() ? "" : cells.get(source[f]);
          row[f] = encode(features.get(f), cell.strip(), file + " line " + lineNo);
        }
        rows.add(row);
      }
      if (rows.isEmpty()) {
        throw new IllegalArgumentException(file + " has a header but no rows");
      }
      double[][] columns = new double[features.size()][rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        for (int f = 0; f < features.size(); f++) {
          columns[f][r] = rows.get(r)[f];
        }
      }
      return new ReferenceCsv(features, columns, rows.size(), ignored);
    }
  }

  /** Just the header: every column a numeric feature (for models without named features). */
  public static List<FeatureConfig> numericHeader(Path file) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String headerLine = in.readLine();
      if (headerLine == null) {
        throw new IllegalArgumentException(file + " is empty; it needs a header row");
      }
      return split(headerLine.replace("\uFEFF", "")).stream()
          .map(
              h ->
                  new FeatureConfig(
                      h.strip(), FeatureConfig.FeatureType.FLOAT, null, null, null, null))
          .toList();
    }
  }

  /** Row-major {@code [rows, features]} values, as the model's input tensor holds them. */
  public double[] rowMajor(int from, int n) {
    int f = features.size();
    double[] out = new double[n * f];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < f; c++) {
        out[r * f + c] = columns[c][from + r];
      }
    }
    return out;
  }

  static double encode(FeatureConfig c, String cell, String at) {
    if (cell.isEmpty()) {
      if (c.defaultValue() == null) {
        throw new IllegalArgumentException(at + ": '" + c.name() + "' is empty and has no default");
      }
      return encode(c, c.defaultValue().toString(), at);
    }
    try {
      return switch (c.type()) {
        case BOOL -> bool(cell);
        case CATEGORY -> category(c, cell);
        default -> Double.parseDouble(cell);
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          at + ": '" + c.name() + "' = '" + cell + "': " + e.getMessage());
    }
  }

  private static double bool(String cell) {
    return switch (cell.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> 1;
      case "false", "0", "no" -> 0;
      default -> throw new IllegalArgumentException("not a boolean (true/false/1/0)");
    };
  }

  private static double category(FeatureConfig c, String cell) {
    int i = c.values().indexOf(cell);
    if (i < 0) {
      throw new IllegalArgumentException("not one of " + c.values());
    }
    return i;
  }

  /** Splits one CSV line; a field in double quotes may hold commas and "" for a quote. */
  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cur.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    out.add(cur.toString());
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReferenceCsv r
        && r.features.equals(features)
        && r.rows == rows
        && Arrays.deepEquals(r.columns, columns);
  }

  @Override
  public int hashCode() {
    return features.hashCode() * 31 + Arrays.deepHashCode(columns);
  }

  @Override
  public String toString() {
    return "ReferenceCsv[" + rows + " rows of " + features.size() + " features]";
  }
}
