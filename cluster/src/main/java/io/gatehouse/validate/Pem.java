package io.gatehouse.validate;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A strict reader of PEM blocks ({@code -----BEGIN LABEL-----}, base64, {@code -----END
 * LABEL-----}). Text between blocks is ignored, as OpenSSL does. Its errors name the block and the
 * problem, never the content: the input may be a private key.
 */
final class Pem {
  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  /** One decoded block; {@code index} counts from 0 in the order the blocks appear. */
  record Block(int index, String label, byte[] der) {}

  /** A malformed block; the message is safe to show. */
  static final class PemException extends Exception {
    private static final long serialVersionUID = 1L;

    PemException(String message) {
      super(message, null, false, false);
    }
  }

  private Pem() {}

  static List<Block> parse(String text) throws PemException {
    List<Block> blocks = new ArrayList<>();
    String[] lines = text.split("\r?\n|\r", -1);
    int i = 0;
    while (i < lines.length) {
      String line = lines[i].strip();
      i++;
      if (!line.startsWith(BEGIN)) {
        continue;
      }
      String label = label(line, BEGIN, blocks.size());
      StringBuilder body = new StringBuilder();
      boolean ended = false;
      while (i < lines.length) {
        String l = lines[i].strip();
        i++;
        if (l.startsWith(END)) {
          if (!label.equals(label(l, END, blocks.size()))) {
            throw new PemException(
                "block " + blocks.size() + " (" + label + ") ends with a different label");
          }
          ended = true;
          break;
        }
        if (l.indexOf(':') >= 0) {
          // RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED": legacy OpenSSL encryption.
          throw new PemException(
              "block " + blocks.size() + " (" + label + ") has headers: an encrypted legacy PEM");
        }
        body.append(l);
      }
      if (!ended) {
        throw new PemException(
            "block " + blocks.size() + " (" + label + ") has no -----END " + label + "-----");
      }
      byte[] der;
      try {
        der = Base64.getDecoder().decode(body.toString());
      } catch (IllegalArgumentException e) {
        // The decoder's message quotes the offending character: never show it.
        throw new PemException("block " + blocks.size() + " (" + label + ") is not valid base64");
      }
      if (der.length == 0) {
        throw new PemException("block " + blocks.size() + " (" + label + ") is empty");
      }
      blocks.add(new Block(blocks.size(), label, der));
    }
    return blocks;
  }

  private static String label(String line, String prefix, int index) throws PemException {
    if (!line.endsWith(DASHES) || line.length() < prefix.length() + DASHES.length() + 1) {
      throw new PemException("block " + index + " has a malformed BEGIN or END line");
    }
    String label = line.substring(prefix.length(), line.length() - DASHES.length());
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '#')) {
        throw new PemException("block " + index + " has a malformed label");
      }
    }
    return label;
  }
}
