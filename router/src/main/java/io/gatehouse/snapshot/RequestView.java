package io.gatehouse.snapshot;

import org.jspecify.annotations.Nullable;

/** What route conditions may read from a request, beyond its host and path. */
public interface RequestView {
  String method();

  /** The first value of the header, or null; {@code lowerCaseName} is already lower-case. */
  @Nullable String header(String lowerCaseName);

  /** The first value of the query parameter, or null. */
  @Nullable String queryParam(String name);
}
