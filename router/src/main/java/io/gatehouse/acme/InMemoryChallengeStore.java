package io.gatehouse.acme;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The challenges of this node only: enough while the node that orders is the node the server
 * reaches. With several replicas behind one address the table's replicated store replaces it.
 */
public final class InMemoryChallengeStore implements ChallengeStore {
  private final Map<String, String> answers = new ConcurrentHashMap<>();

  @Override
  public void publish(String token, String keyAuthorization) {
    answers.put(token, keyAuthorization);
  }

  @Override
  public void withdraw(String token) {
    answers.remove(token);
  }

  @Override
  public @Nullable String keyAuthorization(String token) {
    return answers.get(token);
  }

  /** How many tokens are published (for tests and metrics). */
  public int size() {
    return answers.size();
  }
}
