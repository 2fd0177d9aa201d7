package io.gatehouse.edge;

/** PLACEHOLDER until the normaliser lands from the snapshot branch. */
public final class RequestPaths {
  private RequestPaths() {}

  public static String normalize(String rawPath) {
    return rawPath.startsWith("/") ? rawPath : null;
  }
}
