package io.gatehouse.model.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Header edits with the semantics of Gateway API's header modifiers: {@code set} replaces every
 * value of a header, {@code add} appends a value, {@code remove} deletes every value; names are
 * case-insensitive. A value is text with a few variables, {@code ${client.address}}, {@code
 * ${request.id}}, {@code ${route.tenant}}, {@code ${route.name}}, {@code ${tls.client.subject}} and
 * {@code ${tls.client.sha256}}, and {@code $$} for a '$'; nothing else is interpreted (the syntax
 * is {@code io.gatehouse.validate.HeaderTemplate}'s). Maps keep their order, so a route reads back
 * as it was written.
 */
public record HeaderEditsSpec(
    Map<String, String> set, Map<String, String> add, List<String> remove) {
  public static final HeaderEditsSpec NONE = new HeaderEditsSpec(Map.of(), Map.of(), List.of());

  public HeaderEditsSpec {
    set = ordered(set);
    add = ordered(add);
    remove = remove == null ? List.of() : List.copyOf(remove);
  }

  /** How many edits: entries of set and add, names of remove. */
  public int size() {
    return set.size() + add.size() + remove.size();
  }

  private static Map<String, String> ordered(Map<String, String> m) {
    if (m == null || m.isEmpty()) {
      return Map.of();
    }
    LinkedHashMap<String, String> copy = new LinkedHashMap<>();
    m.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "name"), Objects.requireNonNull(v, k)));
    return Collections.unmodifiableMap(copy);
  }
}
