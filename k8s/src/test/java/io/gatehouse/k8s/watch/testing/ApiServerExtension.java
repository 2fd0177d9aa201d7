package io.gatehouse.k8s.watch.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects one {@link ApiServerHarness} per JVM (one Failsafe fork) into test constructors,
 * {@code @BeforeAll} and test methods: {@code @ExtendWith(ApiServerExtension.class)}. The harness
 * lives in the root store and is closed when JUnit closes that store at the end of the run (and by
 * the harness's shutdown hook if the JVM goes first). A failed start is remembered, so later
 * classes fail at once with the same cause instead of waiting for another timeout.
 */
public final class ApiServerExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ApiServerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == ApiServerHarness.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(Started.class, key -> Started.start(), Started.class)
        .harness();
  }

  /** The outcome of the one start attempt; closing it closes the harness. */
  private record Started(ApiServerHarness harnessOrNull, RuntimeException failure)
      implements AutoCloseable {
    static Started start() {
      try {
        return new Started(ApiServerHarness.start(), null);
      } catch (RuntimeException e) {
        return new Started(null, e);
      }
    }

    ApiServerHarness harness() {
      if (failure != null) {
        throw new IllegalStateException("the shared API server failed to start", failure);
      }
      return harnessOrNull;
    }

    @Override
    public void close() {
      if (harnessOrNull != null) {
        harnessOrNull.close();
      }
    }
  }
}
