package io.gatehouse.model.policy;

import java.util.List;
import java.util.Objects;

/**
 * HTTP Basic authentication (RFC 7617) against a list of users with password hashes, as an htpasswd
 * file holds them (ingress-nginx {@code auth-type: basic}). Only slow, salted hashes are accepted:
 * bcrypt ({@code $2a$}, {@code $2b$}, {@code $2y$}) and Argon2 in PHC form ({@code $argon2id$},
 * {@code $argon2i$}, {@code $argon2d$}); plaintext, {@code {SHA}}, crypt(3) and MD5-crypt ({@code
 * $apr1$}, {@code $1$}) are refused by the validator. A request without valid credentials is
 * answered 401 with {@code WWW-Authenticate: Basic realm="<realm>"}. The hashes are write-only: no
 * API answer or log shows them.
 *
 * @param realm the realm named in the challenge (printable ASCII without {@code "} or {@code \})
 * @param users the users, names unique
 * @param forwardAuthorization whether the client's {@code Authorization} header reaches the
 *     upstream (ingress-nginx passes it; false removes it)
 */
public record BasicAuth(String realm, List<User> users, boolean forwardAuthorization)
    implements PolicySpec {
  /** ingress-nginx's default realm text is empty; a challenge must name one. */
  public static final String DEFAULT_REALM = "Authentication Required";

  /**
   * One user.
   *
   * @param name the user name (no {@code :}, no control characters)
   * @param hash the password hash in its crypt/PHC form
   */
  public record User(String name, String hash) {
    public User {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(hash, "hash");
    }

    /** Names the user, never the hash. */
    @Override
    public String toString() {
      return "User[" + name + "]";
    }
  }

  public BasicAuth {
    Objects.requireNonNull(realm, "realm");
    users = users == null ? List.of() : List.copyOf(users);
  }
}
