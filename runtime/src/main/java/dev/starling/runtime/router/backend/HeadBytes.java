package dev.starling.runtime.router.backend;

/**
 * Byte-level helpers for reading HTTP/1.1 heads as they arrived, shared by the lean path's request
 * head ({@code RequestHead}) and the backend's answer head ({@link AnswerHead}). Names and values
 * are ISO-8859-1, as on the wire.
 */
public final class HeadBytes {
  /** {@link #end} found a line ending that is not CRLF. */
  public static final int BARE_LF = -2;

  /** Which ASCII bytes are RFC 9110 token characters (a table: header names are read per byte). */
  private static final boolean[] TCHAR = new boolean[128];

  static {
    for (int c = 0; c < 128; c++) {
      TCHAR[c] =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
  }

  private HeadBytes() {}

  /**
   * Where the head in {@code a[from, to)} ends (the index after its blank line), -1 if it has not
   * all arrived, or {@link #BARE_LF}. {@code scanFrom} skips what an earlier call already looked
   * at.
   */
  public static int end(byte[] a, int from, int scanFrom, int to) {
    for (int i = Math.max(from, scanFrom); i < to; i++) {
      if (a[i] == '\n') {
        if (i == from || a[i - 1] != '\r') {
          return BARE_LF;
        }
        if (i - 3 >= from && a[i - 2] == '\n' && a[i - 3] == '\r') {
          return i + 1;
        }
      }
    }
    return -1;
  }

  /** 1 for {@code close}, 0 for {@code keep-alive}, -1 for anything else (an upgrade, say). */
  public static int connection(byte[] a, int from, int to) {
    int result = 0;
    for (int i = tokenStart(a, from, to); i < to; ) {
      int end = tokenEnd(a, i, to);
      if (end - i == 5 && equalsIgnoreCase(a, i, "close")) {
        result = 1;
      } else if (!(end - i == 10 && equalsIgnoreCase(a, i, "keep-alive"))) {
        return -1;
      }
      i = tokenStart(a, end, to);
    }
    return result;
  }

  /** The comma-separated list in {@code a[from, to)} has {@code token} (lower case) in it. */
  public static boolean hasToken(byte[] a, int from, int to, String token) {
    for (int i = tokenStart(a, from, to); i < to; ) {
      int end = tokenEnd(a, i, to);
      if (end - i == token.length() && equalsIgnoreCase(a, i, token)) {
        return true;
      }
      i = tokenStart(a, end, to);
    }
    return false;
  }

  /** Where the next list element in {@code a[i, to)} starts: after spaces, tabs and commas. */
  private static int tokenStart(byte[] a, int i, int to) {
    while (i < to && (a[i] == ' ' || a[i] == '\t' || a[i] == ',')) {
      i++;
    }
    return i;
  }

  /** Where the list element starting at {@code i} ends: at a comma, space, tab or {@code to}. */
  private static int tokenEnd(byte[] a, int i, int to) {
    while (i < to && a[i] != ',' && a[i] != ' ' && a[i] != '\t') {
      i++;
    }
    return i;
  }

  /**
   * A control character other than a tab, or a byte outside ASCII (negative as a Java byte): never
   * taken as it came in a head line; Jetty's parser decides about such a head.
   */
  public static boolean ctl(byte b) {
    return (b < 0x20 && b != '\t') || b == 0x7f;
  }

  /**
   * One header line of a head read in place ({@link #read}): where its name and its value (OWS
   * trimmed) are, and where the next line starts. One per parse, reused line after line; the head
   * must end with its blank line (as {@link HeadBytes#end} found it), which stops every scan.
   */
  public static final class Line {
    public int start;
    public int nameLength;
    public int valueStart;
    public int valueEnd;
    public int next;

    /**
     * Reads the line at {@code a[i]} (not the blank line): false unless it is {@code token ":" OWS
     * value OWS CRLF} with no control bytes (so also for a folded line, a space before the colon,
     * no colon, an empty name or a lone CR).
     */
    public boolean read(byte[] a, int i) {
      start = i;
      for (; a[i] != ':'; i++) {
        if (!tchar(a[i])) {
          return false;
        }
      }
      nameLength = i - start;
      if (nameLength == 0) {
        return false;
      }
      i++;
      while (a[i] == ' ' || a[i] == '\t') {
        i++;
      }
      valueStart = i;
      for (; a[i] != '\r'; i++) {
        if (ctl(a[i])) {
          return false;
        }
      }
      if (a[i + 1] != '\n') {
        return false;
      }
      valueEnd = i;
      while (valueEnd > valueStart && (a[valueEnd - 1] == ' ' || a[valueEnd - 1] == '\t')) {
        valueEnd--;
      }
      next = i + 2;
      return true;
    }

    /** The line's name is {@code name}, up to the case of letters. */
    public boolean named(byte[] a, String name) {
      return nameLength == name.length() && equalsIgnoreCase(a, start, name);
    }
  }

  /** The decimal in {@code a[from, to)}, or -1 if it is not one (or longer than 18 digits). */
  public static long digits(byte[] a, int from, int to) {
    if (to <= from || to - from > 18) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      if (a[i] < '0' || a[i] > '9') {
        return -1;
      }
      v = v * 10 + (a[i] - '0');
    }
    return v;
  }

  /** RFC 9110 token characters. */
  public static boolean tchar(byte b) {
    return b >= 0 && TCHAR[b];
  }

  /** {@code a[at, at + s.length())} is {@code s} up to the case of letters. */
  public static boolean equalsIgnoreCase(byte[] a, int at, String s) {
    for (int k = 0; k < s.length(); k++) {
      int x = a[at + k];
      int y = s.charAt(k);
      if (x != y && (x | 0x20) != (y | 0x20)) {
        return false;
      }
      if (x != y && !((x | 0x20) >= 'a' && (x | 0x20) <= 'z')) {
        return false;
      }
    }
    return true;
  }

  /** {@code a[at, to)} starts with {@code s}, exactly. */
  public static boolean startsWith(byte[] a, int at, int to, String s) {
    if (to - at < s.length()) {
      return false;
    }
    for (int k = 0; k < s.length(); k++) {
      if (a[at + k] != s.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** {@code name: value} and CRLF at {@code out[n]}; the index after it. */
  public static int line(byte[] out, int n, String name, String value) {
    n = put(out, n, name);
    out[n++] = ':';
    out[n++] = ' ';
    n = put(out, n, value);
    out[n++] = '\r';
    out[n++] = '\n';
    return n;
  }

  /** Writes {@code s} as ISO-8859-1 (header names and values are). */
  public static int put(byte[] out, int n, String s) {
    for (int k = 0; k < s.length(); k++) {
      out[n++] = (byte) s.charAt(k);
    }
    return n;
  }
}
