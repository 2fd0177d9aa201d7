package io.gatehouse.validate;

import io.gatehouse.model.policy.BasicAuth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The one parser of htpasswd-style user lists ({@code user:hash} a line), shared by the routes
 * file, REST and the Kubernetes Secret reader, and the one check of a password hash. Only slow,
 * salted hashes pass: bcrypt and Argon2 (PHC form). Messages name the line and the user, never the
 * hash.
 */
public final class Htpasswd {
  private static final Pattern BCRYPT =
      Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
  private static final Pattern ARGON2 =
      Pattern.compile(
          "\\$argon2(id|i|d)\\$(v=(16|19)\\$)?m=[0-9]{1,10},t=[0-9]{1,10},p=[0-9]{1,3}"
              + "\\$[A-Za-z0-9+/]{8,}\\$[A-Za-z0-9+/]{16,}");

  public static final String HASH_RULE =
      "a bcrypt ($2a$, $2b$, $2y$) or Argon2 ($argon2id$, $argon2i$, $argon2d$) hash";

  private Htpasswd() {}

  /**
   * Why {@code hash} is refused, or null when it is a bcrypt or Argon2 hash. The text names the
   * scheme found, never the hash.
   */
  public static @Nullable String problem(@Nullable String hash) {
    if (hash == null || hash.isEmpty()) {
      return "no hash (expected: " + HASH_RULE + ")";
    }
    if (BCRYPT.matcher(hash).matches() || ARGON2.matcher(hash).matches()) {
      return null;
    }
    String found;
    if (hash.startsWith("$2")) {
      found = "a malformed bcrypt hash";
    } else if (hash.startsWith("$argon2")) {
      found = "a malformed Argon2 hash";
    } else if (hash.startsWith("$apr1$") || hash.startsWith("$1$")) {
      found = "MD5-crypt, which is fast to brute-force";
    } else if (hash.startsWith("$5$") || hash.startsWith("$6$")) {
      found = "SHA-crypt, which Gatehouse does not verify";
    } else if (hash.startsWith("{SHA}")) {
      found = "unsalted SHA-1";
    } else if (hash.length() == 13 && hash.matches("[./A-Za-z0-9]{13}")) {
      found = "crypt(3) DES, or plaintext";
    } else {
      found = "plaintext or an unknown scheme";
    }
    return found + " (expected: " + HASH_RULE + ")";
  }

  /**
   * The users of an htpasswd text: one {@code user:hash} a line; blank lines and lines starting
   * with {@code #} are skipped.
   *
   * @throws IllegalArgumentException naming the line (1-based) and the user of the first bad line
   */
  public static List<BasicAuth.User> parse(String text) {
    List<BasicAuth.User> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(
            "line " + (i + 1) + ": not user:hash (expected: one user:hash a line)");
      }
      String user = line.substring(0, colon);
      String hash = line.substring(colon + 1);
      String p = problem(hash);
      if (p != null) {
        throw new IllegalArgumentException("line " + (i + 1) + ", user " + user + ": " + p);
      }
      if (!names.add(user)) {
        throw new IllegalArgumentException(
            "line " + (i + 1) + ", user " + user + ": given twice (expected: each user once)");
      }
      out.add(new BasicAuth.User(user, hash));
    }
    return out;
  }
}
