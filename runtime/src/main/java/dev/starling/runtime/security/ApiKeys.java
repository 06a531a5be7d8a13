package dev.starling.runtime.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An immutable set of API keys, held only as SHA-256 hashes with their ids. A presented key is
 * hashed and compared with every stored hash in constant time ({@link MessageDigest#isEqual}),
 * without stopping at the first match, so neither the timing nor the answer says how close a wrong
 * key came.
 */
public final class ApiKeys {
  /** Ids appear in logs; keep them plain. */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

  static final int MIN_KEY_LENGTH = 16;

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(ApiKeys::newDigest);

  private final String[] ids;
  private final byte[][] hashes;

  private ApiKeys(List<String> ids, List<byte[]> hashes) {
    this.ids = ids.toArray(String[]::new);
    this.hashes = hashes.toArray(byte[][]::new);
  }

  public int size() {
    return ids.length;
  }

  /** The id of the key, or null if it is no key of this set. */
  public String identify(String presented) {
    if (presented == null || presented.isEmpty()) {
      return null;
    }
    byte[] h = hash(presented);
    String match = null;
    for (int i = 0; i < hashes.length; i++) {
      if (MessageDigest.isEqual(h, hashes[i])) {
        match = ids[i];
      }
    }
    return match;
  }

  /**
   * Parses {@code id:key} lines; blank lines and lines starting with {@code #} are skipped, spaces
   * around id and key are trimmed. Every problem names its line; the key itself is never quoted.
   */
  public static ApiKeys parse(String text) {
    List<String> ids = new ArrayList<>();
    List<byte[]> hashes = new ArrayList<>();
    Set<String> seenIds = new HashSet<>();
    Set<String> seenHashes = new HashSet<>();
    List<String> problems = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      String at = "line " + (n + 1) + ": ";
      if (colon < 0) {
        problems.add(at + "expected id:key");
        continue;
      }
      String id = line.substring(0, colon).strip();
      String key = line.substring(colon + 1).strip();
      if (!ID.matcher(id).matches()) {
        problems.add(at + "id must match " + ID.pattern());
      } else if (!seenIds.add(id)) {
        problems.add(at + "id '" + id + "' appears twice");
      }
      if (key.length() < MIN_KEY_LENGTH) {
        problems.add(at + "the key of '" + id + "' is shorter than " + MIN_KEY_LENGTH + " chars");
        continue;
      }
      byte[] h = hash(key);
      if (!seenHashes.add(HexFormat.of().formatHex(h))) {
        problems.add(at + "the key of '" + id + "' is also another id's key");
      }
      ids.add(id);
      hashes.add(h);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new ApiKeys(ids, hashes);
  }

  private static byte[] hash(String key) {
    MessageDigest md = SHA256.get();
    md.reset();
    return md.digest(key.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
