package io.gatehouse.model.policy;

import java.util.List;
import java.util.Map;

/** Edits the request's headers as the backend sees them, on every attempt. */
public record RequestHeaders(Map<String, String> set, Map<String, String> add, List<String> remove)
    implements PolicySpec {
  public RequestHeaders {
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
