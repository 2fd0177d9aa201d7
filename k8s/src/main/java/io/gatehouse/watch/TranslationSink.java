package io.gatehouse.watch;

import io.gatehouse.translate.Translation;

/** Where each rebuilt {@link Translation} goes. Called on the watcher's thread, one at a time. */
public interface TranslationSink {
  void publish(Translation translation) throws Exception;
}
