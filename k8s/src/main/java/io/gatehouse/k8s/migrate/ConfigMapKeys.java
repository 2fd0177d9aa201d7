package io.gatehouse.k8s.migrate;

import io.gatehouse.k8s.migrate.MigrationReport.KeyEntry;
import io.gatehouse.k8s.migrate.MigrationReport.Status;
import io.gatehouse.k8s.translate.NginxConfigKey;
import io.gatehouse.k8s.translate.NginxConfigMapCatalogue;
import java.util.Optional;

/**
 * The outcome of one key of the ingress-nginx controller ConfigMap, for the report: its entry in
 * {@link NginxConfigMapCatalogue}, the list the controller reads; a key it does not list is
 * reported ignored, which a CI reads as "not served" rather than as identical.
 */
final class ConfigMapKeys {
  private ConfigMapKeys() {}

  /** The entry of {@code key}: its status and note. */
  static KeyEntry of(String key) {
    return known(key)
        .orElseGet(
            () ->
                new KeyEntry(
                    key,
                    Status.IGNORED,
                    "not a controller ConfigMap key Gatehouse knows: it is not applied"));
  }

  /** The catalogued outcome of {@code key}; empty when the catalogue does not list it. */
  private static Optional<KeyEntry> known(String key) {
    NginxConfigKey entry = NginxConfigMapCatalogue.find(key);
    if (entry == null) {
      return Optional.empty();
    }
    Status status =
        switch (entry.outcome()) {
          case SAME -> Status.SAME;
          case DIFFERENT -> Status.DIFFERENT;
          case REFUSED -> Status.REFUSED;
        };
    return Optional.of(new KeyEntry(key, status, entry.note()));
  }
}
