package io.gatehouse.acme;

import org.jspecify.annotations.Nullable;

/**
 * HTTP-01 challenges being answered: token to key authorization. The orderer publishes a token
 * before it asks the server to validate and withdraws it when the challenge is decided; every
 * listener reads it for {@code /.well-known/acme-challenge/{token}}. Reads come from the event loop
 * on every such request, so {@link #keyAuthorization} must never block; a replicated store keeps a
 * local copy and answers from it.
 */
public interface ChallengeStore {
  /** Answer {@code token} with {@code keyAuthorization} until withdrawn. */
  void publish(String token, String keyAuthorization);

  /** Stop answering {@code token}; unknown tokens are ignored. */
  void withdraw(String token);

  /** The key authorization for {@code token}, or null when it is not published. Never blocks. */
  @Nullable String keyAuthorization(String token);
}
