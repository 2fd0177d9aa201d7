package io.gatehouse.ctl;

/** Ends a command with an exit code and a message for stderr (empty: already printed). */
final class CtlException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int code;

  CtlException(int code, String message) {
    super(message);
    this.code = code;
  }

  static CtlException usage(String message) {
    return new CtlException(Ctl.EXIT_USAGE, message);
  }

  int code() {
    return code;
  }
}
