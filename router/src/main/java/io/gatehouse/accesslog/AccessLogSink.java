package io.gatehouse.accesslog;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Where formatted lines go. Called by the writer's thread only; it may block, the loop never. */
public interface AccessLogSink {
  /** Writes {@code length} bytes of whole lines, each ending in a newline. */
  void write(byte[] bytes, int length) throws IOException;

  /** Called when the queue is empty: hand what is buffered to the OS. */
  default void flush() throws IOException {}

  default void close() throws IOException {}

  /**
   * The process's stdout, shared with the JSON logs: each batch is one {@code write} under the
   * stream's lock, so an access line is never cut by a log line.
   */
  static AccessLogSink stdout() {
    return new AccessLogSink() {
      @Override
      public void write(byte[] bytes, int length) {
        PrintStream out = System.out;
        out.write(bytes, 0, length);
      }

      @Override
      public void flush() {
        System.out.flush();
      }
    };
  }

  /** Appends to {@code file}, created if missing (its directory must exist). */
  static AccessLogSink file(Path file) throws IOException {
    OutputStream out =
        Files.newOutputStream(
            file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    return new AccessLogSink() {
      @Override
      public void write(byte[] bytes, int length) throws IOException {
        out.write(bytes, 0, length);
      }

      @Override
      public void flush() throws IOException {
        out.flush();
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }
}
