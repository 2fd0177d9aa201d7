package io.gatehouse.validate;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The replacement text of a regular-expression rewrite, parsed once against its pattern: literal
 * text with group references {@code $1}-{@code $9}, {@code ${12}}, {@code ${name}}, and {@code $$}
 * for a '$'. A group that took no part in the match expands to nothing (as in nginx). Immutable.
 */
public final class Substitution {
  /** The literal text before each group, and after the last one. */
  private final String[] literals;

  private final int[] groups;

  private Substitution(String[] literals, int[] groups) {
    this.literals = literals;
    this.groups = groups;
  }

  /**
   * Parses {@code template} for {@code pattern}.
   *
   * @throws IllegalArgumentException naming the first reference that is malformed or to a group the
   *     pattern does not have
   */
  public static Substitution parse(String template, Pattern pattern) {
    List<String> literals = new ArrayList<>();
    List<Integer> groups = new ArrayList<>();
    Map<String, Integer> named = pattern.namedGroups();
    int count = pattern.groupCount();
    StringBuilder lit = new StringBuilder();
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c != '$') {
        lit.append(c);
        continue;
      }
      if (i + 1 >= template.length()) {
        throw new IllegalArgumentException("'$' at the end (write $$ for a '$')");
      }
      char next = template.charAt(i + 1);
      int group;
      if (next == '$') {
        lit.append('$');
        i++;
        continue;
      } else if (next >= '0' && next <= '9') {
        group = next - '0';
        i++;
      } else if (next == '{') {
        int close = template.indexOf('}', i + 2);
        if (close < 0) {
          throw new IllegalArgumentException("'${' without '}'");
        }
        String ref = template.substring(i + 2, close);
        if (!ref.isEmpty()
            && ref.chars().allMatch(ch -> ch >= '0' && ch <= '9')
            && ref.length() < 4) {
          group = Integer.parseInt(ref);
        } else if (named.containsKey(ref)) {
          group = named.get(ref);
        } else {
          throw new IllegalArgumentException("${" + ref + "}: the pattern has no such group");
        }
        i = close;
      } else {
        throw new IllegalArgumentException("'$' followed by '" + next + "' (write $$ for a '$')");
      }
      if (group > count) {
        throw new IllegalArgumentException(
            "$" + group + ": the pattern has " + count + " group" + (count == 1 ? "" : "s"));
      }
      literals.add(lit.toString());
      lit.setLength(0);
      groups.add(group);
    }
    literals.add(lit.toString());
    int[] g = new int[groups.size()];
    for (int i = 0; i < g.length; i++) {
      g[i] = groups.get(i);
    }
    return new Substitution(literals.toArray(new String[0]), g);
  }

  /** The text of every literal part, group references left out: what the template alone adds. */
  public String literalText() {
    return String.join("", literals);
  }

  /** The replacement for the match {@code m} has just found. */
  public String expand(Matcher m) {
    StringBuilder b = new StringBuilder(64);
    for (int i = 0; i < groups.length; i++) {
      b.append(literals[i]);
      String g = m.group(groups[i]);
      if (g != null) {
        b.append(g);
      }
    }
    return b.append(literals[groups.length]).toString();
  }
}
