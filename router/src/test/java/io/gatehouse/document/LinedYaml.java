package io.gatehouse.document;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a JSON tree as block YAML, one key or list item per line, and records the line of every
 * path as it writes it: the contract test's own answer to "which line is this leaf on", made
 * independently of the parser the routes file uses. Scalars are written as JSON (a double-quoted
 * YAML string or a plain number or boolean); a list inside a list is written in flow style on one
 * line.
 */
final class LinedYaml {
  final String text;
  private final Map<String, Integer> lines;

  private LinedYaml(String text, Map<String, Integer> lines) {
    this.text = text;
    this.lines = lines;
  }

  /** The line of {@code path}, or of its nearest written ancestor (a key that is missing). */
  int lineOf(DocPath path) {
    String p = path.toString();
    while (true) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      if (cut <= 0) {
        return 1;
      }
      p = p.substring(0, cut);
    }
  }

  static LinedYaml of(JsonNode root) {
    Writer w = new Writer();
    w.mapping(root, "", 0, true);
    return new LinedYaml(w.out.append('\n').toString(), w.lines);
  }

  private static final class Writer {
    final StringBuilder out = new StringBuilder();
    final Map<String, Integer> lines = new HashMap<>();
    int line = 1;

    void mapping(JsonNode obj, String path, int indent, boolean firstInline) {
      boolean first = true;
      for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!(first && firstInline)) {
          newline(indent);
        }
        first = false;
        String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        lines.put(child, line);
        out.append(ContractSchema.NODES.textNode(e.getKey())).append(':');
        value(e.getValue(), child, indent);
      }
    }

    /** After {@code key:} on the current line. */
    void value(JsonNode v, String path, int indent) {
      if (v.isObject() && v.size() > 0) {
        mapping(v, path, indent + 2, false);
      } else if (v.isArray() && v.size() > 0) {
        for (int i = 0; i < v.size(); i++) {
          newline(indent + 2);
          String item = path + "[" + i + "]";
          lines.put(item, line);
          out.append("- ");
          JsonNode n = v.get(i);
          if (n.isObject() && n.size() > 0) {
            mapping(n, item, indent + 4, true);
          } else {
            flow(n, item);
          }
        }
      } else {
        out.append(' ');
        flow(v, path);
      }
    }

    /** {@code v} as JSON on the current line; every path inside it is on this line. */
    void flow(JsonNode v, String path) {
      out.append(v.toString());
      record(v, path);
    }

    void record(JsonNode v, String path) {
      lines.put(path, line);
      if (v.isObject()) {
        v.fields().forEachRemaining(e -> record(e.getValue(), path + "." + e.getKey()));
      } else if (v.isArray()) {
        for (int i = 0; i < v.size(); i++) {
          record(v.get(i), path + "[" + i + "]");
        }
      }
    }

    void newline(int indent) {
      out.append('\n').append(" ".repeat(indent));
      line++;
    }
  }
}
