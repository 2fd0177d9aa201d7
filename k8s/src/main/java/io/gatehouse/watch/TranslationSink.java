package io.gatehouse.watch;

import io.gatehouse.translate.ListedClusterState;
import io.gatehouse.translate.Translation;

/**
 * Where each rebuilt {@link Translation} goes, with the state it was made from. Called on the
 * watcher's thread, one rebuild at a time, after every rebuild (also when nothing changed, so a
 * write that failed last time is tried again): each sink skips what is already in place.
 */
public interface TranslationSink {
  void publish(Translation translation, ListedClusterState state) throws Exception;
}
