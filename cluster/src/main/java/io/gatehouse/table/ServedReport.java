package io.gatehouse.table;

import java.util.List;

/**
 * The answer to "does every live member serve generation {@code generation}?".
 *
 * @param lagging the members that did not serve it in time, with the generation they serve
 */
public record ServedReport(long generation, boolean complete, List<MemberInfo> lagging) {
  public ServedReport {
    lagging = List.copyOf(lagging);
  }
}
