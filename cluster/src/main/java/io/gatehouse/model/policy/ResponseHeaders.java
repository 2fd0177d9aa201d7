package io.gatehouse.model.policy;

import java.util.List;
import java.util.Map;

/** Edits a proxied response's headers as the client sees them (not the proxy's own answers). */
public record ResponseHeaders(Map<String, String> set, Map<String, String> add, List<String> remove)
    implements PolicySpec {
  public ResponseHeaders {
    HeaderEditsSpec e = new HeaderEditsSpec(set, add, remove);
    set = e.set();
    add = e.add();
    remove = e.remove();
  }

  /** The header edits of this policy. */
  public HeaderEditsSpec edits() {
    return new HeaderEditsSpec(set, add, remove);
  }
}
