package io.gatehouse.ctl;

import java.io.PrintWriter;
import java.util.List;

/**
 * A plain-text table: upper-case headers, columns padded to their widest cell, three spaces apart.
 */
final class Table {
  private Table() {}

  static void print(PrintWriter out, List<String> columns, List<List<String>> rawRows) {
    // a value from the server never moves the terminal's cursor or forges a row
    List<List<String>> rows =
        rawRows.stream().map(r -> r.stream().map(Table::clean).toList()).toList();
    int[] width = new int[columns.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = columns.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    line(out, columns, width);
    for (List<String> r : rows) {
      line(out, r, width);
    }
    out.flush();
  }

  private static void line(PrintWriter out, List<String> cells, int[] width) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      s.append(c);
      if (i < cells.size() - 1) {
        s.append(" ".repeat(width[i] - c.length() + 3));
      }
    }
    out.println(s);
  }

  /** {@code s} with control characters shown as '?'. */
  static String clean(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        if (b == null) {
          b = new StringBuilder(s.substring(0, i));
        }
        b.append('?');
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }
}
