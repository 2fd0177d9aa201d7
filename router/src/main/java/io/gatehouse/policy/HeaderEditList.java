package io.gatehouse.policy;

import io.gatehouse.model.policy.HeaderEditsSpec;
import java.util.Locale;
import java.util.Map;

/**
 * A header policy's edits as flat arrays, names lower-cased once here, so applying them walks
 * arrays and allocates nothing beyond what the header map itself needs. The validator keeps a name
 * in at most one of the three lists, so their order does not matter; they run remove, set, add.
 */
final class HeaderEditList {
  private final String[] remove;
  private final String[] setNames;
  private final String[] setValues;
  private final String[] addNames;
  private final String[] addValues;

  HeaderEditList(HeaderEditsSpec spec) {
    remove = new String[spec.remove().size()];
    for (int i = 0; i < remove.length; i++) {
      remove[i] = spec.remove().get(i).toLowerCase(Locale.ROOT);
    }
    setNames = new String[spec.set().size()];
    setValues = new String[setNames.length];
    fill(spec.set(), setNames, setValues);
    addNames = new String[spec.add().size()];
    addValues = new String[addNames.length];
    fill(spec.add(), addNames, addValues);
  }

  private static void fill(Map<String, String> m, String[] names, String[] values) {
    int i = 0;
    for (Map.Entry<String, String> e : m.entrySet()) {
      names[i] = e.getKey().toLowerCase(Locale.ROOT);
      values[i] = e.getValue();
      i++;
    }
  }

  void apply(HeaderEdits headers) {
    for (int i = 0; i < remove.length; i++) {
      headers.remove(remove[i]);
    }
    for (int i = 0; i < setNames.length; i++) {
      headers.set(setNames[i], setValues[i]);
    }
    for (int i = 0; i < addNames.length; i++) {
      headers.add(addNames[i], addValues[i]);
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
