package io.gatehouse.admin;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every formatted log line (and its exception text) so tests can grep them. */
public final class CapturingAppender extends AppenderBase<ILoggingEvent> {
  public static final List<String> LINES = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent e) {
    StringBuilder b =
        new StringBuilder(e.getLoggerName()).append(' ').append(e.getFormattedMessage());
    e.getKeyValuePairs();
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      b.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
    }
    if (e.getKeyValuePairs() != null) {
      b.append(' ').append(e.getKeyValuePairs());
    }
    LINES.add(b.toString());
  }
}
