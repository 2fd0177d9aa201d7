package io.gatehouse.k8s.watch;

import io.gatehouse.k8s.translate.IngressProblem;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.k8s.translate.gateway.GatewayState;
import io.gatehouse.k8s.translate.gateway.Translations;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where each rebuilt {@link Translation} goes, with the state it was made from. Called on the
 * watcher's thread, one rebuild at a time, after every rebuild (also when nothing changed, so a
 * write that failed last time is tried again): each sink skips what is already in place.
 */
public interface TranslationSink {
  void publish(Translation translation, ListedClusterState state) throws Exception;

  /**
   * The whole rebuild: the Ingress and the Gateway API translation, with the states they were made
   * from. The watcher calls this one; by default it hands the Ingress half to {@link
   * #publish(Translation, ListedClusterState)}, so a sink that knows only Ingresses need not
   * change.
   */
  default void publish(Translations translations, ListedClusterState state, GatewayState gateways)
      throws Exception {
    publish(translations.ingress(), state);
  }

  /**
   * Whether this sink has a use for a translation now (e.g. false on a replica that is not the
   * leader). Asked on the watcher's thread before each rebuild: when no sink wants one, the watcher
   * does not translate at all, and the next rebuild (a leadership change pokes one) catches up.
   */
  default boolean wanted() {
    return true;
  }

  /**
   * {@code sink}, handed each translation with {@code more} problems added (e.g. the routes the
   * table sink, called before it, held back).
   */
  static TranslationSink withProblems(Supplier<List<IngressProblem>> more, TranslationSink sink) {
    return new TranslationSink() {
      @Override
      public void publish(Translation t, ListedClusterState s) throws Exception {
        sink.publish(t.withProblems(more.get()), s);
      }

      @Override
      public void publish(Translations t, ListedClusterState s, GatewayState g) throws Exception {
        sink.publish(new Translations(t.ingress().withProblems(more.get()), t.gateway()), s, g);
      }

      @Override
      public boolean wanted() {
        return sink.wanted();
      }
    };
  }

  /** {@code sink}, wanted (and called) only while {@code active} holds, e.g. while leading. */
  static TranslationSink onlyWhile(
      java.util.function.BooleanSupplier active, TranslationSink sink) {
    return new TranslationSink() {
      @Override
      public void publish(Translation t, ListedClusterState s) throws Exception {
        if (active.getAsBoolean()) {
          sink.publish(t, s);
        }
      }

      @Override
      public void publish(Translations t, ListedClusterState s, GatewayState g) throws Exception {
        if (active.getAsBoolean()) {
          sink.publish(t, s, g);
        }
      }

      @Override
      public boolean wanted() {
        return active.getAsBoolean() && sink.wanted();
      }
    };
  }
}
