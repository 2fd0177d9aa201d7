package io.gatehouse.document;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** What the reader made of a document: the value, or the problems that stop it (then empty). */
public record Read<T>(@Nullable T value, List<DocProblem> problems) {
  public Read {
    problems = List.copyOf(problems);
  }

  public boolean isValid() {
    return problems.isEmpty();
  }
}
