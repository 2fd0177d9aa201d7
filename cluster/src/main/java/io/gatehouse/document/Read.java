package io.gatehouse.document;

import java.util.List;

/** What the reader made of a document: the value, or the problems that stop it (then empty). */
public record Read<T>(T value, List<DocProblem> problems) {
  public Read {
    problems = List.copyOf(problems);
  }

  public boolean isValid() {
    return problems.isEmpty();
  }
}
