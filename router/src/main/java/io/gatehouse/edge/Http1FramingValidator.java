package io.gatehouse.edge;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import org.jspecify.annotations.Nullable;

/**
 * Checks the bytes of an HTTP/1.x request stream against RFC 9112's grammar before Netty's decoder
 * reads them: the request line, the field lines of the head and of the trailer section, and the
 * chunked framing. Netty is lenient where a proxy must not be (it folds obs-fold lines, takes tabs
 * and other whitespace as request-line separators, and up to 4.2.17 skipped whitespace before a
 * chunk size and let a size of 2^32 or more wrap around), and none of that can be configured, so
 * this is written by hand: one pass over each byte, a state machine, no allocation.
 *
 * <p>It does not parse Content-Length or Transfer-Encoding itself: at the end of each head it stops
 * ({@link #awaitingFraming()}) until the decoder, which has just read the same head, tells it the
 * body's framing ({@link #framing}); after a body it stops again ({@link #betweenMessages()}) until
 * the decoder has read the body too ({@link #nextMessage()}), so that a violation is always
 * reported against the request it belongs to. Chunk extensions are checked and ignored (RFC 9112
 * 7.1.1).
 */
final class Http1FramingValidator implements ByteProcessor {
  private static final int REQUEST_START = 0;
  private static final int LEADING_LF = 1;
  private static final int METHOD = 2;
  private static final int TARGET_START = 3;
  private static final int TARGET = 4;
  private static final int VERSION = 5;
  private static final int REQUEST_LINE_LF = 6;
  private static final int FIELD_START = 7;
  private static final int FIELD_NAME = 8;
  private static final int FIELD_VALUE = 9;
  private static final int FIELD_LF = 10;
  private static final int SECTION_END_LF = 11;
  private static final int HEAD_DONE = 12;
  private static final int FIXED_BODY = 13;
  private static final int CHUNK_SIZE_START = 14;
  private static final int CHUNK_SIZE = 15;
  private static final int EXT_BEFORE_SEMICOLON = 16;
  private static final int EXT_NAME_START = 17;
  private static final int EXT_NAME = 18;
  private static final int EXT_AFTER_NAME = 19;
  private static final int EXT_VALUE_START = 20;
  private static final int EXT_TOKEN = 21;
  private static final int EXT_QUOTED = 22;
  private static final int EXT_QUOTED_ESCAPE = 23;
  private static final int EXT_AFTER_VALUE = 24;
  private static final int CHUNK_LINE_LF = 25;
  private static final int CHUNK_DATA = 26;
  private static final int CHUNK_DATA_CR = 27;
  private static final int CHUNK_DATA_LF = 28;
  private static final int MESSAGE_DONE = 29;
  private static final int FAILED = 30;

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte[] HTTP_SLASH = {'H', 'T', 'T', 'P', '/'};

  /** RFC 9110 5.6.2 tchar. */
  private static final boolean[] TCHAR = new boolean[256];

  /** RFC 9110 5.5 field-vchar, SP and HTAB (obs-text included). */
  private static final boolean[] FIELD_VALUE_CHAR = new boolean[256];

  /** Visible ASCII and obs-text: what a request target may hold (its grammar is the router's). */
  private static final boolean[] TARGET_CHAR = new boolean[256];

  /**
   * RFC 9110 5.6.4 qdtext without obs-text: Netty's own chunk-line check cannot read bytes above
   * 0x7F (it drops the connection), so they are refused here with a 400 instead.
   */
  private static final boolean[] QDTEXT = new boolean[256];

  static {
    for (int c = 0x21; c <= 0x7e; c++) {
      TCHAR[c] = "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
      FIELD_VALUE_CHAR[c] = true;
      TARGET_CHAR[c] = true;
      QDTEXT[c] = c != '"' && c != '\\';
    }
    for (int c = 0x80; c <= 0xff; c++) {
      FIELD_VALUE_CHAR[c] = true;
      TARGET_CHAR[c] = true;
    }
    FIELD_VALUE_CHAR[' '] = FIELD_VALUE_CHAR['\t'] = true;
    QDTEXT[' '] = QDTEXT['\t'] = true;
  }

  private int state = REQUEST_START;
  private boolean trailer;
  private int versionPos;

  /** Chunk size being read, then the bytes of chunk data or fixed-length body still to come. */
  private long remaining;

  private @Nullable String error;

  /** Why the stream was refused, or null. */
  @Nullable String error() {
    return error;
  }

  /** Whether a whole head was checked and the body's framing is needed to go on. */
  boolean awaitingFraming() {
    return state == HEAD_DONE;
  }

  /** Whether a whole request body was checked and the decoder must catch up before going on. */
  boolean betweenMessages() {
    return state == MESSAGE_DONE;
  }

  /** The decoder has read the last request's body: check the next request. */
  void nextMessage() {
    if (state == MESSAGE_DONE) {
      state = REQUEST_START;
    }
  }

  /** Whether a refused stream has been seen. */
  boolean failed() {
    return state == FAILED;
  }

  /**
   * The framing of the body after the head just checked, as the decoder read it: chunked, else
   * {@code contentLength} bytes (0 for none).
   */
  void framing(boolean chunked, long contentLength) {
    if (chunked) {
      state = CHUNK_SIZE_START;
    } else if (contentLength > 0) {
      state = FIXED_BODY;
      remaining = contentLength;
    } else {
      state = REQUEST_START;
    }
  }

  /**
   * Checks {@code buf}'s bytes from {@code from} (inclusive) to {@code to} (exclusive), stopping
   * after the end of a head or of a body. Returns the index after the last byte checked; on a
   * violation {@link #failed()} is true and {@link #error()} says why.
   */
  int check(ByteBuf buf, int from, int to) {
    int i = from;
    while (i < to && state != HEAD_DONE && state != MESSAGE_DONE && state != FAILED) {
      if (state == FIXED_BODY || state == CHUNK_DATA) {
        int n = (int) Math.min(remaining, to - i);
        i += n;
        remaining -= n;
        if (remaining == 0) {
          state = state == FIXED_BODY ? MESSAGE_DONE : CHUNK_DATA_CR;
        }
        continue;
      }
      int stop = buf.forEachByte(i, to - i, this);
      i = stop < 0 ? to : stop + 1;
    }
    return i;
  }

  /** One byte; false stops the scan (head done, body data to skip in bulk, or a violation). */
  @Override
  public boolean process(byte value) {
    int c = value & 0xff;
    switch (state) {
      case REQUEST_START -> {
        if (c == CR) {
          // RFC 9112 2.2: an empty line before the request line is ignored.
          state = LEADING_LF;
        } else if (TCHAR[c]) {
          state = METHOD;
        } else {
          return fail("request line does not start with a method");
        }
      }
      case LEADING_LF -> {
        return c == LF ? to(REQUEST_START) : fail("bare CR before the request line");
      }
      case METHOD -> {
        if (c == ' ') {
          state = TARGET_START;
        } else if (!TCHAR[c]) {
          return fail("method is not a token followed by one space");
        }
      }
      case TARGET_START -> {
        return TARGET_CHAR[c] ? to(TARGET) : fail("request target does not follow one space");
      }
      case TARGET -> {
        if (c == ' ') {
          state = VERSION;
          versionPos = 0;
        } else if (!TARGET_CHAR[c]) {
          return fail("whitespace or control character in the request line");
        }
      }
      case VERSION -> {
        return version(c);
      }
      case REQUEST_LINE_LF, FIELD_LF -> {
        return c == LF ? to(FIELD_START) : fail("bare CR in the request head");
      }
      case FIELD_START -> {
        if (c == CR) {
          state = SECTION_END_LF;
        } else if (TCHAR[c]) {
          state = FIELD_NAME;
        } else if (c == ' ' || c == '\t') {
          // RFC 9112 5.2: obs-fold (or whitespace before the first field line).
          return fail("obs-fold line");
        } else {
          return fail("field line does not start with a token");
        }
      }
      case FIELD_NAME -> {
        if (c == ':') {
          state = FIELD_VALUE;
        } else if (!TCHAR[c]) {
          return fail("field name is not a token followed by ':'");
        }
      }
      case FIELD_VALUE -> {
        if (c == CR) {
          state = FIELD_LF;
        } else if (!FIELD_VALUE_CHAR[c]) {
          return fail("control character in a field value");
        }
      }
      case SECTION_END_LF -> {
        if (c != LF) {
          return fail("bare CR in the request head");
        }
        if (trailer) {
          trailer = false;
          state = MESSAGE_DONE;
          return false;
        }
        state = HEAD_DONE;
        return false;
      }
      case CHUNK_SIZE_START -> {
        // RFC 9112 7.1: chunk-size = 1*HEXDIG, nothing before it.
        int digit = hex(c);
        if (digit < 0) {
          return fail("chunk size is not hexadecimal");
        }
        remaining = digit;
        state = CHUNK_SIZE;
      }
      case CHUNK_SIZE -> {
        int digit = hex(c);
        if (digit >= 0) {
          remaining = remaining * 16 + digit;
          if (remaining > Integer.MAX_VALUE) {
            // RFC 9112 7.1: anticipate large sizes and refuse what cannot be read exactly.
            return fail("chunk size too large");
          }
        } else {
          return extension(c, EXT_BEFORE_SEMICOLON);
        }
      }
      case EXT_BEFORE_SEMICOLON -> {
        if (c == ';') {
          state = EXT_NAME_START;
        } else if (c != ' ' && c != '\t') {
          return fail("invalid chunk extension");
        }
      }
      case EXT_NAME_START -> {
        if (TCHAR[c]) {
          state = EXT_NAME;
        } else if (c != ' ' && c != '\t') {
          return fail("invalid chunk extension");
        }
      }
      case EXT_NAME -> {
        if (c == '=') {
          state = EXT_VALUE_START;
        } else if (!TCHAR[c]) {
          return extension(c, EXT_AFTER_NAME);
        }
      }
      case EXT_AFTER_NAME -> {
        if (c == '=') {
          state = EXT_VALUE_START;
        } else {
          return extension(c, EXT_AFTER_NAME);
        }
      }
      case EXT_VALUE_START -> {
        if (c == '"') {
          state = EXT_QUOTED;
        } else if (TCHAR[c]) {
          state = EXT_TOKEN;
        } else if (c != ' ' && c != '\t') {
          return fail("invalid chunk extension");
        }
      }
      case EXT_TOKEN -> {
        if (!TCHAR[c]) {
          return extension(c, EXT_AFTER_VALUE);
        }
      }
      case EXT_QUOTED -> {
        if (c == '"') {
          state = EXT_AFTER_VALUE;
        } else if (c == '\\') {
          state = EXT_QUOTED_ESCAPE;
        } else if (!QDTEXT[c]) {
          return fail("invalid chunk extension");
        }
      }
      case EXT_QUOTED_ESCAPE -> {
        return QDTEXT[c] || c == '"' || c == '\\'
            ? to(EXT_QUOTED)
            : fail("invalid chunk extension");
      }
      case EXT_AFTER_VALUE -> {
        return extension(c, EXT_AFTER_VALUE);
      }
      case CHUNK_LINE_LF -> {
        if (c != LF) {
          return fail("bare CR in a chunk line");
        }
        if (remaining == 0) {
          trailer = true;
          state = FIELD_START;
          return true;
        }
        state = CHUNK_DATA;
        return false;
      }
      case CHUNK_DATA_CR -> {
        return c == CR ? to(CHUNK_DATA_LF) : fail("chunk data longer than its size");
      }
      case CHUNK_DATA_LF -> {
        return c == LF ? to(CHUNK_SIZE_START) : fail("bare CR after chunk data");
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * After a chunk size, name or value: BWS then ';' starts the next extension, CR ends the line;
   * whitespace moves to {@code whitespaceState}.
   */
  private boolean extension(int c, int whitespaceState) {
    if (c == ';') {
      state = EXT_NAME_START;
    } else if (c == CR) {
      state = CHUNK_LINE_LF;
    } else if (c == ' ' || c == '\t') {
      // Trailing whitespace is only allowed before a ';' ("5 \r\n" is refused).
      state = whitespaceState == EXT_AFTER_NAME ? EXT_AFTER_NAME : EXT_BEFORE_SEMICOLON;
    } else {
      return fail(
          state == CHUNK_SIZE ? "chunk size is not hexadecimal" : "invalid chunk extension");
    }
    return true;
  }

  /** RFC 9112 2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, then CRLF. */
  private boolean version(int c) {
    int pos = versionPos++;
    boolean ok =
        pos < 5
            ? c == HTTP_SLASH[pos]
            : pos == 5 || pos == 7 ? c >= '0' && c <= '9' : pos == 6 ? c == '.' : c == CR;
    if (!ok) {
      return fail("request line does not end in one space and HTTP/x.y");
    }
    if (pos == 8) {
      state = REQUEST_LINE_LF;
    }
    return true;
  }

  private static int hex(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private boolean to(int next) {
    state = next;
    return true;
  }

  private boolean fail(String why) {
    state = FAILED;
    error = why;
    return false;
  }
}
