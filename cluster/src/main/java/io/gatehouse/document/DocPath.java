package io.gatehouse.document;

import java.util.ArrayList;
import java.util.List;

/**
 * Where in a route document a value sits: an immutable list of keys and list indexes. Renders as
 * {@code routes[0].paths[1].value} (the routes file's form, also what lines are looked up by) or as
 * the JSON pointer {@code /routes/0/paths/1/value} (REST's form).
 */
public final class DocPath {
  public static final DocPath ROOT = new DocPath(List.of());

  /** A key (a String) or an index (an Integer). */
  private final List<Object> segments;

  private DocPath(List<Object> segments) {
    this.segments = segments;
  }

  public DocPath key(String key) {
    return with(key);
  }

  public DocPath index(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("index " + index);
    }
    return with(index);
  }

  /** This path followed by {@code rest}. */
  public DocPath append(DocPath rest) {
    if (rest.segments.isEmpty()) {
      return this;
    }
    List<Object> s = new ArrayList<>(segments.size() + rest.segments.size());
    s.addAll(segments);
    s.addAll(rest.segments);
    return new DocPath(List.copyOf(s));
  }

  public boolean isRoot() {
    return segments.isEmpty();
  }

  /**
   * Reads the dotted form, as validator fields are written ({@code tls.hsts.maxAge}, {@code
   * paths[0].value}). {@code parse(p.toString())} equals {@code p} for every path whose keys are
   * non-empty and hold no {@code .} or {@code [}; other text is kept as keys, never refused.
   */
  public static DocPath parse(String dotted) {
    if (dotted.isEmpty()) {
      return ROOT;
    }
    List<Object> s = new ArrayList<>();
    StringBuilder key = new StringBuilder();
    boolean pending = true; // a key is being read: at the start or after a dot
    int at = 0;
    while (at < dotted.length()) {
      char c = dotted.charAt(at);
      int close = c == '[' ? indexEnd(dotted, at) : -1;
      if (close > 0) {
        if (pending && (key.length() > 0 || !s.isEmpty())) {
          s.add(key.toString());
        }
        key.setLength(0);
        s.add(Integer.parseInt(dotted.substring(at + 1, close)));
        pending = false;
        at = close + 1;
      } else if (c == '.') {
        if (pending) {
          s.add(key.toString());
        }
        key.setLength(0);
        pending = true;
        at++;
      } else {
        pending = true; // text right after "]" (no dot) is read as the next key
        key.append(c);
        at++;
      }
    }
    if (pending) {
      s.add(key.toString());
    }
    return new DocPath(List.copyOf(s));
  }

  /** The JSON pointer (RFC 6901) of this path; {@code ""} for the root. */
  public String pointer() {
    StringBuilder b = new StringBuilder();
    for (Object o : segments) {
      b.append('/');
      b.append(o instanceof String k ? k.replace("~", "~0").replace("/", "~1") : o.toString());
    }
    return b.toString();
  }

  /** The dotted form, e.g. {@code routes[0].paths[1].value}; {@code ""} for the root. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < segments.size(); i++) {
      Object o = segments.get(i);
      if (o instanceof Integer idx) {
        b.append('[').append(idx).append(']');
      } else {
        if (i > 0) {
          b.append('.');
        }
        b.append((String) o);
      }
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DocPath p && p.segments.equals(segments);
  }

  @Override
  public int hashCode() {
    return segments.hashCode();
  }

  private DocPath with(Object segment) {
    List<Object> s = new ArrayList<>(segments.size() + 1);
    s.addAll(segments);
    s.add(segment);
    return new DocPath(List.copyOf(s));
  }

  /** The index of the {@code ]} closing a {@code [digits]} at {@code open}; -1 if none. */
  private static int indexEnd(String s, int open) {
    int i = open + 1;
    while (i < s.length() && i - open <= 9 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i > open + 1 && i < s.length() && s.charAt(i) == ']' ? i : -1;
  }
}
