package io.gatehouse.validate;

import io.gatehouse.model.policy.BasicAuth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one htpasswd reader: the routes file's {@code htpasswdFile}, REST and the Kubernetes Secret
 * ({@code auth-file}, {@code auth-map}) all read users through it, so they accept and refuse the
 * same hashes with the same words. Only slow, salted hashes pass: bcrypt ({@code $2a$}, {@code
 * $2b$}, {@code $2y$}, cost 4 to 17 as Apache's {@code htpasswd -C}) and Argon2 in PHC form ({@code
 * $argon2id$}, {@code $argon2i$}, {@code $argon2d$}) within {@link #ARGON2_MAX_MEMORY_KIB}, {@link
 * #ARGON2_MAX_ITERATIONS} and {@link #ARGON2_MAX_PARALLELISM}: the node runs each check, so a hash
 * must not be able to cost it minutes or gigabytes. Messages name the line and the user, never the
 * hash: a "hash" may be a plaintext password.
 */
public final class Htpasswd {
  /** Apache's {@code htpasswd -C} refuses more; cost 17 is seconds per check already. */
  public static final int BCRYPT_MAX_COST = 17;

  public static final int BCRYPT_MIN_COST = 4;

  /** 256 MiB a check; the reference defaults ({@code argon2-cffi}) use 64 MiB. */
  public static final int ARGON2_MAX_MEMORY_KIB = 262_144;

  public static final int ARGON2_MAX_ITERATIONS = 16;

  public static final int ARGON2_MAX_PARALLELISM = 16;

  /** A bcrypt hash is 60 characters: {@code $2b$NN$} + 22 of salt + 31 of hash. */
  private static final int BCRYPT_LENGTH = 60;

  private static final String BCRYPT_ALPHABET =
      "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  /** What a hash must be, for messages that name the rule (the document reader's, REST's). */
  public static final String HASH_RULE =
      "a bcrypt ($2a$, $2b$, $2y$) or Argon2 ($argon2id$, $argon2i$, $argon2d$) hash";

  private static final String EXPECTED =
      "expected: " + HASH_RULE + ", as htpasswd -B or argon2 write";

  private Htpasswd() {}

  /** The kind of a hash that passed {@link #problem}. */
  public enum Scheme {
    BCRYPT,
    ARGON2
  }

  /**
   * An Argon2 hash in PHC form, decoded.
   *
   * @param variant {@code argon2id}, {@code argon2i} or {@code argon2d}
   * @param version 16 ({@code 0x10}) or 19 ({@code 0x13}); 16 when the hash names none
   * @param memoryKib {@code m}
   * @param iterations {@code t}
   * @param parallelism {@code p}
   * @param salt the salt's bytes
   * @param hash the expected output's bytes; its length is the output length to compute
   */
  public record Argon2(
      String variant,
      int version,
      int memoryKib,
      int iterations,
      int parallelism,
      byte[] salt,
      byte[] hash) {
    /** Names the parameters, never the salt or the hash. */
    @Override
    public String toString() {
      return "Argon2["
          + variant
          + ", v="
          + version
          + ", m="
          + memoryKib
          + ", t="
          + iterations
          + ", p="
          + parallelism
          + "]";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Argon2 a
          && variant.equals(a.variant)
          && version == a.version
          && memoryKib == a.memoryKib
          && iterations == a.iterations
          && parallelism == a.parallelism
          && Arrays.equals(salt, a.salt)
          && Arrays.equals(hash, a.hash);
    }

    @Override
    public int hashCode() {
      return variant.hashCode() * 31 + Arrays.hashCode(hash);
    }
  }

  /**
   * Reads htpasswd text: one {@code user:hash} a line (nginx's optional third {@code :comment}
   * field is ignored), blank lines and lines starting with {@code #} skipped, CRLF accepted.
   *
   * @throws IllegalArgumentException naming the first bad line (1-based) and its user, never the
   *     hash
   */
  public static List<BasicAuth.User> parse(String text) {
    List<BasicAuth.User> users = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = stripEnd(lines[i]);
      if (line.isEmpty() || line.charAt(0) == '#') {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "line " + lineNo + ": no ':' (expected: user:hash, such as htpasswd -B writes)");
      }
      String name = line.substring(0, colon);
      String rest = line.substring(colon + 1);
      int comment = rest.indexOf(':');
      String hash = comment < 0 ? rest : rest.substring(0, comment);
      String nameProblem = nameProblem(name);
      if (nameProblem != null) {
        throw new IllegalArgumentException("line " + lineNo + ": " + nameProblem);
      }
      String hashProblem = problem(hash);
      if (hashProblem != null) {
        throw new IllegalArgumentException(
            "line " + lineNo + ", user \"" + name + "\": " + hashProblem);
      }
      Integer first = seen.putIfAbsent(name, lineNo);
      if (first != null) {
        throw new IllegalArgumentException(
            "line "
                + lineNo
                + ": user \""
                + name
                + "\" is already on line "
                + first
                + " (expected: each user once)");
      }
      users.add(new BasicAuth.User(name, hash));
    }
    return List.copyOf(users);
  }

  /**
   * Why {@code name} cannot be a Basic user id, or null. RFC 7617 forbids {@code :}; control
   * characters could not be typed and would reach logs.
   */
  public static @Nullable String nameProblem(@Nullable String name) {
    if (name == null || name.isEmpty()) {
      return "the user name is empty (expected: a name before the ':')";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == ':') {
        return "user name \"" + name + "\" holds ':' (expected: no ':', RFC 7617)";
      }
      if (c < 0x20 || c == 0x7f) {
        return "user name holds a control character at index "
            + i
            + " (expected: printable characters)";
      }
    }
    if (!name.equals(name.strip())) {
      return "user name \"" + name + "\" starts or ends with white space";
    }
    return null;
  }

  /**
   * Why {@code hash} is not an accepted password hash, or null when it is one. The text says which
   * scheme was recognised and why it is refused; it never repeats the value.
   */
  public static @Nullable String problem(@Nullable String hash) {
    if (hash == null || hash.isEmpty()) {
      return "the hash is empty (" + EXPECTED + ")";
    }
    if (hash.startsWith("$2")) {
      return bcryptProblem(hash);
    }
    if (hash.startsWith("$argon2")) {
      try {
        argon2(hash);
        return null;
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
    }
    String refused = refusedScheme(hash);
    return refused != null
        ? refused + " is refused: it is fast to guess (" + EXPECTED + ")"
        : "the hash is not a recognised scheme and may be a plaintext password, which is"
            + " refused ("
            + EXPECTED
            + ")";
  }

  /**
   * The scheme of a hash that passed {@link #problem}.
   *
   * @throws IllegalArgumentException when {@link #problem} would name one
   */
  public static Scheme scheme(String hash) {
    String p = problem(hash);
    if (p != null) {
      throw new IllegalArgumentException(p);
    }
    return hash.startsWith("$2") ? Scheme.BCRYPT : Scheme.ARGON2;
  }

  /**
   * Decodes an Argon2 PHC string: {@code $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>}, salt and
   * hash in unpadded standard Base64.
   *
   * @throws IllegalArgumentException saying what is wrong, never repeating the value
   */
  public static Argon2 argon2(String hash) {
    String[] parts = hash.split("\\$", -1);
    // "", variant, [v=..], params, salt, hash
    if (parts.length != 5 && parts.length != 6) {
      throw new IllegalArgumentException(
          "the Argon2 hash does not have the PHC form (expected: $argon2id$v=19$m=..,t=..,p=..$salt$hash)");
    }
    String variant = parts[1];
    if (!variant.equals("argon2id") && !variant.equals("argon2i") && !variant.equals("argon2d")) {
      throw new IllegalArgumentException(
          "the Argon2 variant is not argon2id, argon2i or argon2d (" + EXPECTED + ")");
    }
    int next = 2;
    int version = 0x10;
    if (parts.length == 6) {
      String v = parts[next++];
      if (v.equals("v=19")) {
        version = 0x13;
      } else if (!v.equals("v=16")) {
        throw new IllegalArgumentException(
            "the Argon2 version is not v=19 or v=16 (expected: v=19, the current version)");
      }
    }
    int[] params = argon2Params(parts[next++]);
    byte[] salt = base64(parts[next++], "salt");
    byte[] out = base64(parts[next], "hash");
    if (salt.length < 8) {
      throw new IllegalArgumentException(
          "the Argon2 salt is " + salt.length + " bytes (expected: at least 8)");
    }
    if (out.length < 16 || out.length > 64) {
      throw new IllegalArgumentException(
          "the Argon2 output is " + out.length + " bytes (expected: 16 to 64)");
    }
    return new Argon2(variant, version, params[0], params[1], params[2], salt, out);
  }

  private static int[] argon2Params(String text) {
    String[] kv = text.split(",", -1);
    String[] names = {"m", "t", "p"};
    if (kv.length != 3) {
      throw new IllegalArgumentException(
          "the Argon2 parameters are not m=..,t=..,p=.. (keyid and data are not supported)");
    }
    int[] values = new int[3];
    for (int i = 0; i < 3; i++) {
      String prefix = names[i] + "=";
      if (!kv[i].startsWith(prefix)) {
        throw new IllegalArgumentException(
            "the Argon2 parameters are not m=..,t=..,p=.. in that order");
      }
      String digits = kv[i].substring(prefix.length());
      if (digits.isEmpty()
          || digits.length() > 10
          || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
          || (digits.length() > 1 && digits.charAt(0) == '0')) {
        throw new IllegalArgumentException(
            "the Argon2 parameter " + names[i] + " is not a decimal number");
      }
      long value = Long.parseLong(digits);
      values[i] = (int) Math.min(value, Integer.MAX_VALUE);
    }
    int m = values[0];
    int t = values[1];
    int p = values[2];
    if (p < 1 || p > ARGON2_MAX_PARALLELISM) {
      throw new IllegalArgumentException(
          "the Argon2 parallelism p=" + p + " is outside 1 to " + ARGON2_MAX_PARALLELISM);
    }
    if (t < 1 || t > ARGON2_MAX_ITERATIONS) {
      throw new IllegalArgumentException(
          "the Argon2 iterations t="
              + t
              + " are outside 1 to "
              + ARGON2_MAX_ITERATIONS
              + " (each check runs on the node)");
    }
    if (m < 8 * p || m > ARGON2_MAX_MEMORY_KIB) {
      throw new IllegalArgumentException(
          "the Argon2 memory m="
              + m
              + " KiB is outside "
              + (8 * p)
              + " (8 × p) to "
              + ARGON2_MAX_MEMORY_KIB
              + " (each check runs on the node)");
    }
    return values;
  }

  private static byte[] base64(String text, String what) {
    if (text.isEmpty() || text.indexOf('=') >= 0) {
      throw new IllegalArgumentException(
          "the Argon2 " + what + " is not unpadded Base64 (PHC form)");
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the Argon2 " + what + " is not unpadded Base64 (PHC form)", e);
    }
  }

  private static @Nullable String bcryptProblem(String hash) {
    // $2$ and $2x$ are the pre-2011 variants with the sign-extension bug.
    if (hash.length() < 4 || hash.charAt(3) != '$') {
      return "the bcrypt variant is not $2a$, $2b$ or $2y$ (" + EXPECTED + ")";
    }
    char variant = hash.charAt(2);
    if (variant != 'a' && variant != 'b' && variant != 'y') {
      return "the bcrypt variant is not $2a$, $2b$ or $2y$ (" + EXPECTED + ")";
    }
    if (hash.length() != BCRYPT_LENGTH || hash.charAt(6) != '$') {
      return "the bcrypt hash is not 60 characters of the form $2y$NN$ + 53 (" + EXPECTED + ")";
    }
    char c1 = hash.charAt(4);
    char c2 = hash.charAt(5);
    if (c1 < '0' || c1 > '9' || c2 < '0' || c2 > '9') {
      return "the bcrypt cost is not two digits";
    }
    int cost = (c1 - '0') * 10 + (c2 - '0');
    if (cost < BCRYPT_MIN_COST || cost > BCRYPT_MAX_COST) {
      return "the bcrypt cost "
          + cost
          + " is outside "
          + BCRYPT_MIN_COST
          + " to "
          + BCRYPT_MAX_COST
          + " (htpasswd -C's range; each check runs on the node)";
    }
    for (int i = 7; i < BCRYPT_LENGTH; i++) {
      if (BCRYPT_ALPHABET.indexOf(hash.charAt(i)) < 0) {
        return "the bcrypt salt and hash hold a character outside bcrypt's Base64 alphabet";
      }
    }
    return null;
  }

  /** Names a recognised but refused scheme, or null. */
  private static @Nullable String refusedScheme(String hash) {
    String lower = hash.toLowerCase(Locale.ROOT);
    if (lower.startsWith("{sha}")) {
      return "unsalted SHA-1 ({SHA})";
    }
    if (lower.startsWith("{ssha}")) {
      return "salted SHA-1 ({SSHA})";
    }
    if (hash.startsWith("$apr1$")) {
      return "Apache MD5-crypt ($apr1$)";
    }
    if (hash.startsWith("$1$")) {
      return "MD5-crypt ($1$)";
    }
    if (hash.startsWith("$5$")) {
      return "SHA-256-crypt ($5$)";
    }
    if (hash.startsWith("$6$")) {
      return "SHA-512-crypt ($6$)";
    }
    if (hash.startsWith("$md5$") || hash.startsWith("$md5,")) {
      return "Sun MD5-crypt ($md5$)";
    }
    if (hash.startsWith("$y$") || hash.startsWith("$7$")) {
      return "yescrypt/scrypt crypt ($y$, $7$), which Gatehouse cannot verify,";
    }
    if (hash.length() == 13 && allBcryptAlphabet(hash)) {
      // Could also be a 13-character plaintext password; refused either way.
      return "DES crypt(3)";
    }
    if (hash.length() == 20 && hash.charAt(0) == '_' && allBcryptAlphabet(hash.substring(1))) {
      return "BSDi extended DES crypt(3)";
    }
    return null;
  }

  private static boolean allBcryptAlphabet(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (BCRYPT_ALPHABET.indexOf(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  private static String stripEnd(String line) {
    int end = line.length();
    while (end > 0
        && (line.charAt(end - 1) == '\r'
            || line.charAt(end - 1) == ' '
            || line.charAt(end - 1) == '\t')) {
      end--;
    }
    return line.substring(0, end);
  }
}
