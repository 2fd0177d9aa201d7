package io.gatehouse.accesslog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded queue of entries and the one thread that formats and writes them. {@link #offer} never
 * blocks: when the queue is full the entry is dropped and counted, so a slow disk or a blocked
 * stdout slows the log, never the requests.
 */
final class AccessLogWriter {
  private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);

  /** Bytes formatted before one write: few system calls under load, small memory. */
  private static final int BATCH_CHARS = 32 * 1024;

  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * How long the writer sleeps once the queue is empty: a line waits at most this long, and the
   * event loop never wakes the writer. Waiting on the queue instead woke it, wrote and flushed for
   * nearly every request: the access log cost 37 % of h1 throughput on one core
   * (bench/observe-cost.sh, 26.1k against 41.5k req/s).
   */
  private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final ArrayBlockingQueue<AccessEntry> queue;
  private final AccessLogSink sink;
  private final LongAdder written;
  private final LongAdder dropped;
  private final Thread thread;
  private volatile boolean closing;
  private long warnedDropped;
  private long warnedAt = System.nanoTime() - WARN_EVERY_NANOS;

  AccessLogWriter(int capacity, AccessLogSink sink, LongAdder written, LongAdder dropped) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.sink = sink;
    this.written = written;
    this.dropped = dropped;
    this.thread = new Thread(this::run, "gatehouse-access-log");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code e}, or drops and counts it when the queue is full. Never blocks. */
  void offer(AccessEntry e) {
    if (closing || !queue.offer(e)) {
      dropped.increment();
    }
  }

  /** Writes what is queued, then closes the sink; returns at once. */
  void close() {
    closing = true;
    LockSupport.unpark(thread);
  }

  /** Waits for {@link #close()} to finish (tests, the node's stop). */
  boolean awaitClosed(long millis) throws InterruptedException {
    thread.join(millis);
    return !thread.isAlive();
  }

  private void run() {
    StringBuilder batch = new StringBuilder(BATCH_CHARS + 1024);
    boolean dirty = false;
    try {
      while (true) {
        AccessEntry e = queue.poll();
        if (e == null) {
          if (dirty) {
            flush(); // once per idle period, not per batch
            dirty = false;
          }
          warnDrops();
          if (closing && queue.isEmpty()) {
            return;
          }
          LockSupport.parkNanos(this, IDLE_NANOS);
          if (Thread.interrupted()) {
            closing = true;
          }
          continue;
        }
        int lines = 0;
        do {
          AccessLines.append(batch, e, e.layout.fields(), e.layout.format());
          batch.append('\n');
          lines++;
        } while (batch.length() < BATCH_CHARS && (e = queue.poll()) != null);
        write(batch, lines);
        batch.setLength(0);
        dirty = true;
      }
    } finally {
      try {
        sink.flush();
        sink.close();
      } catch (IOException | RuntimeException x) {
        LOG.atWarn()
            .setMessage("access log: cannot close its destination")
            .addKeyValue("reason", String.valueOf(x.getMessage()))
            .log();
      }
    }
  }

  private void write(StringBuilder batch, int lines) {
    byte[] bytes = batch.toString().getBytes(StandardCharsets.UTF_8);
    try {
      sink.write(bytes, bytes.length);
      written.add(lines);
    } catch (IOException | RuntimeException x) {
      dropped.add(lines);
      warn("access log: cannot write its destination; lines dropped", x);
    }
  }

  private void flush() {
    try {
      sink.flush();
    } catch (IOException | RuntimeException x) {
      warn("access log: cannot flush its destination", x);
    }
  }

  /** At most one warning per 10 s, from this thread, naming how many lines were dropped. */
  private void warnDrops() {
    long now = System.nanoTime();
    long total = dropped.sum();
    if (total != warnedDropped && now - warnedAt >= WARN_EVERY_NANOS) {
      LOG.atWarn()
          .setMessage("access log lines dropped: the queue was full or the destination failed")
          .addKeyValue("dropped", total - warnedDropped)
          .addKeyValue("droppedTotal", total)
          .log();
      warnedDropped = total;
      warnedAt = now;
    }
  }

  private void warn(String message, Exception x) {
    long now = System.nanoTime();
    if (now - warnedAt >= WARN_EVERY_NANOS) {
      warnedAt = now;
      LOG.atWarn().setMessage(message).addKeyValue("reason", String.valueOf(x.getMessage())).log();
    }
  }
}
