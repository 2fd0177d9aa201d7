package io.gatehouse.policy;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.HeaderEditsSpec;
import java.util.Locale;
import java.util.Map;

/**
 * A header policy's edits as flat arrays, names lower-cased once here, so applying them walks
 * arrays and allocates nothing beyond what the header map itself needs. The validator keeps a name
 * in at most one of the three lists, so their order does not matter; they run remove, set, add.
 *
 * <p>A value without request variables (route variables are folded in when compiled) is kept as its
 * text and set as before, one null check more; only a value that reads the request ({@link
 * HeaderValue}) is expanded per request. When a variable has no value the edit yields no header:
 * {@code set} removes the header (so the client's own never passes for it), {@code add} adds none.
 */
final class HeaderEditList {
  private final String[] remove;
  private final String[] setNames;

  /** Each set value's text, or null where {@link #setTemplates} holds a value with variables. */
  private final String[] setValues;

  private final HeaderValue[] setTemplates;
  private final String[] addNames;
  private final String[] addValues;
  private final HeaderValue[] addTemplates;

  HeaderEditList(HeaderEditsSpec spec, RouteKey route) {
    remove = new String[spec.remove().size()];
    for (int i = 0; i < remove.length; i++) {
      remove[i] = spec.remove().get(i).toLowerCase(Locale.ROOT);
    }
    setNames = new String[spec.set().size()];
    setValues = new String[setNames.length];
    setTemplates = new HeaderValue[setNames.length];
    fill(spec.set(), route, setNames, setValues, setTemplates);
    addNames = new String[spec.add().size()];
    addValues = new String[addNames.length];
    addTemplates = new HeaderValue[addNames.length];
    fill(spec.add(), route, addNames, addValues, addTemplates);
  }

  private static void fill(
      Map<String, String> m,
      RouteKey route,
      String[] names,
      String[] values,
      HeaderValue[] templates) {
    int i = 0;
    for (Map.Entry<String, String> e : m.entrySet()) {
      names[i] = e.getKey().toLowerCase(Locale.ROOT);
      HeaderValue v = HeaderValue.compile(e.getValue(), route);
      values[i] = v.literal();
      templates[i] = values[i] == null ? v : null;
      i++;
    }
  }

  void apply(RequestContext request, HeaderEdits headers) {
    for (int i = 0; i < remove.length; i++) {
      headers.remove(remove[i]);
    }
    for (int i = 0; i < setNames.length; i++) {
      String v = setValues[i] != null ? setValues[i] : setTemplates[i].expand(request);
      if (v != null) {
        headers.set(setNames[i], v);
      } else {
        headers.remove(setNames[i]);
      }
    }
    for (int i = 0; i < addNames.length; i++) {
      String v = addValues[i] != null ? addValues[i] : addTemplates[i].expand(request);
      if (v != null) {
        headers.add(addNames[i], v);
      }
    }
  }

  @Override
  public String toString() {
    return "remove="
        + String.join(",", remove)
        + " set="
        + String.join(",", setNames)
        + " add="
        + String.join(",", addNames);
  }
}
