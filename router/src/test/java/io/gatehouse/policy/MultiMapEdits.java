package io.gatehouse.policy;

import io.vertx.core.MultiMap;
import java.util.List;

/** {@link HeaderEdits} over a Vert.x header map, as the proxy's exchange applies them. */
final class MultiMapEdits implements HeaderEdits {
  MultiMap headers;

  MultiMapEdits(MultiMap headers) {
    this.headers = headers;
  }

  @Override
  public void set(String name, String value) {
    headers.set(name, value);
  }

  @Override
  public void add(String name, String value) {
    headers.add(name, value);
  }

  @Override
  public void remove(String name) {
    headers.remove(name);
  }

  @Override
  public String get(String name) {
    List<String> all = headers.getAll(name);
    return all.isEmpty() ? null : String.join(", ", all);
  }
}
