package io.gatehouse.edge;

/** Why a request is answered by Gatehouse itself and never forwarded. */
public record Refusal(int status, String reason) implements GuardResult {
  public static Refusal badRequest(String reason) {
    return new Refusal(400, reason);
  }
}
