package io.gatehouse.k8s.watch;

import io.gatehouse.k8s.translate.gateway.GatewaySettings;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Whether and how the watcher serves the Gateway API (docs/gateway-api.md, "Operating").
 *
 * @param mode {@link Mode#AUTO}: the kinds whose CRDs are installed at start; {@link
 *     Mode#REQUIRED}: refuse to start without the core CRDs; {@link Mode#OFF}: none
 * @param settings controller name, the Gateway listener ports the node serves, the address pool;
 *     its addresses are replaced at each rebuild by {@code addresses}
 * @param addresses what Gateways report in {@code status.addresses}, read at every rebuild (fixed
 *     addresses, or the published Service's); empty: none known yet
 */
public record GatewayApiOptions(
    Mode mode, GatewaySettings settings, Supplier<List<String>> addresses) {
  public static final GatewayApiOptions OFF =
      new GatewayApiOptions(Mode.OFF, GatewaySettings.defaults(List.of()), List::of);

  public enum Mode {
    AUTO,
    REQUIRED,
    OFF;

    /**
     * {@code auto}, {@code true} or {@code false} (any case), as the configuration key takes it.
     *
     * @throws IllegalArgumentException naming the value and the forms taken
     */
    public static Mode parse(String text) {
      return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "auto" -> AUTO;
        case "true" -> REQUIRED;
        case "false" -> OFF;
        default ->
            throw new IllegalArgumentException(
                "gatewayApi: \"" + text + "\" (expected: auto, true or false)");
      };
    }
  }

  public GatewayApiOptions {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(addresses, "addresses");
  }

  /** The settings with the addresses known now. */
  GatewaySettings current() {
    List<String> now = addresses.get();
    return settings.withAddresses(now == null ? List.of() : now);
  }
}
