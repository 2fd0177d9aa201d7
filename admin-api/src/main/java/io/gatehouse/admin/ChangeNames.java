package io.gatehouse.admin;

import java.util.regex.Pattern;

/** The name rule of routes and certificates (the contract's ObjectName). */
final class ChangeNames {
  static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9._]{0,251}[a-z0-9])?");
  static final String NAME_RULE = "a-z, 0-9, '-', '.' and '_', 1-253 characters, alphanumeric ends";

  private ChangeNames() {}
}
