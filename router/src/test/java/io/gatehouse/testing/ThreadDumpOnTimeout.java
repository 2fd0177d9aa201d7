package io.gatehouse.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Prints every thread's stack when a test fails by waiting too long (a future, an await, or its
 * {@code @Timeout}), so an intermittent hang leaves the evidence of what was stuck in the build
 * log. Registered for every test by service loading ({@code junit-platform.properties}).
 */
public final class ThreadDumpOnTimeout implements TestExecutionExceptionHandler {
  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    if (isTimeout(failure)) {
      System.err.println(
          "=== thread dump: " + context.getDisplayName() + " timed out: " + failure + " ===");
      System.err.println(dump());
    }
    throw failure;
  }

  static boolean isTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String name = c.getClass().getName();
      if (c instanceof TimeoutException
          || name.endsWith("ConditionTimeoutException")
          || name.endsWith(".TimeoutException")
          || (c.getMessage() != null && c.getMessage().contains("timed out"))) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  public static String dump() {
    StringBuilder out = new StringBuilder();
    for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      out.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState());
      if (info.getLockName() != null) {
        out.append(" on ").append(info.getLockName());
      }
      out.append('\n');
      for (StackTraceElement e : info.getStackTrace()) {
        out.append("    at ").append(e).append('\n');
      }
    }
    return out.toString();
  }
}
