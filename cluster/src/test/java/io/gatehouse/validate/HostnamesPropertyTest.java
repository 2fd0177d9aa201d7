package io.gatehouse.validate;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

@Timeout(60)
class HostnamesPropertyTest {

  /** Characters that hosts are made of, plus the ones normalisation strips or rejects. */
  private static final char[] ALPHABET = "abcXYZ019-.*:_ ü ß".toCharArray();

  private static Gen<String> hostLike() {
    Gen<Character> ch = integers().between(0, ALPHABET.length - 1).map(i -> ALPHABET[i]);
    return lists()
        .of(ch)
        .ofSizeBetween(0, 40)
        .map(
            (List<Character> cs) -> {
              StringBuilder b = new StringBuilder();
              cs.forEach(b::append);
              return b.toString();
            });
  }

  private static Gen<String> hosts() {
    return Generate.pick(List.of("Example.COM.", "*.bücher.example", "a.example:8080", "*.x.y"))
        .mix(hostLike(), 80)
        .mix(strings().allPossible().ofLengthBetween(0, 30), 20);
  }

  @Test
  void normalise_configured_is_idempotent_on_its_output() {
    qt().withExamples(5000)
        .forAll(hosts())
        .check(
            raw -> {
              Validated<String> once = Hostnames.normalizeConfigured("h", raw);
              if (!once.isValid()) {
                return true;
              }
              Validated<String> twice = Hostnames.normalizeConfigured("h", once.value());
              return twice.isValid() && twice.value().equals(once.value());
            });
  }

  @Test
  void normalised_hosts_are_lower_case_ascii_without_port_or_trailing_dot() {
    qt().withExamples(5000)
        .forAll(hosts())
        .check(
            raw -> {
              Validated<String> v = Hostnames.normalizeConfigured("h", raw);
              if (!v.isValid()) {
                return !v.violations().isEmpty();
              }
              String h = v.value();
              return h.matches("(\\*\\.)?[a-z0-9-]+(\\.[a-z0-9-]+)*")
                  && h.length() <= Hostnames.MAX_LENGTH + 2
                  && Hostnames.normalizeRequestHost(h.replace("*.", "x.")).isPresent();
            });
  }
}
