package io.gatehouse.policy;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What an auth service answered a forward-auth subrequest: its status and the values of the headers
 * the filter keeps (name, value pairs, lower-case names; repeated values joined with ", "), never
 * its body. A negative status says no answer came: {@link #UNREACHABLE} or {@link #TIMED_OUT}.
 *
 * @param status the auth service's status, or {@link #UNREACHABLE} or {@link #TIMED_OUT}
 * @param headers the kept headers as name, value pairs
 */
public record ForwardAuthAnswer(int status, List<String> headers) {
  /** No connection, a full pool queue, a reset or a malformed answer before the status. */
  public static final int UNREACHABLE_STATUS = -1;

  /** No status within the policy's timeout, connect included. */
  public static final int TIMED_OUT_STATUS = -2;

  public static final ForwardAuthAnswer UNREACHABLE =
      new ForwardAuthAnswer(UNREACHABLE_STATUS, List.of());
  public static final ForwardAuthAnswer TIMED_OUT =
      new ForwardAuthAnswer(TIMED_OUT_STATUS, List.of());

  public ForwardAuthAnswer {
    headers = List.copyOf(headers);
    if (headers.size() % 2 != 0) {
      throw new IllegalArgumentException("headers: name, value pairs expected");
    }
  }

  /** The kept value of {@code lowerCaseName}, or null when the answer had none. */
  public @Nullable String header(String lowerCaseName) {
    for (int i = 0; i < headers.size(); i += 2) {
      if (headers.get(i).equals(lowerCaseName)) {
        return headers.get(i + 1);
      }
    }
    return null;
  }
}
