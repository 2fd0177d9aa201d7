package io.gatehouse.node;

/** The node's configuration cannot be built; the message is one line that names the key. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
