package io.gatehouse.document;

import java.io.IOException;

/**
 * Reads a file a route document names for a secret (a BasicAuth policy's {@code htpasswdFile}).
 * Only the routes file has one; REST refuses the key, since an API caller must not make a node read
 * its own files.
 */
@FunctionalInterface
public interface SecretFiles {
  /** At most this many bytes: an htpasswd file of some thousand users. */
  int MAX_BYTES = 1 << 20;

  /**
   * The text of {@code path} (relative paths from the routes file's directory).
   *
   * @throws IOException with a message that names the file's problem, never its content
   */
  String read(String path) throws IOException;
}
