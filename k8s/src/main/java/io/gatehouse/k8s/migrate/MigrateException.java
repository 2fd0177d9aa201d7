package io.gatehouse.k8s.migrate;

/** The input could not be read (a file, the YAML in it, or the cluster): exit code 70. */
public final class MigrateException extends Exception {
  private static final long serialVersionUID = 1L;

  public MigrateException(String message) {
    super(message);
  }

  public MigrateException(String message, Throwable cause) {
    super(message, cause);
  }
}
