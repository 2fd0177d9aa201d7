package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.certificate.CertificateIndex;
import io.gatehouse.certificate.ServedCertificate;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.Test;

class KeyMaterialCacheTest {
  @Test
  void contexts_are_renewed_once_per_so_many_new_aliases() {
    KeyMaterialCache cache = new KeyMaterialCache(3);
    assertThat(cache.due()).as("nothing issued yet").isFalse();
    ServedCertificate.nextAlias();
    ServedCertificate.nextAlias();
    assertThat(cache.due()).as("two of three").isFalse();
    ServedCertificate.nextAlias();
    assertThat(cache.due()).as("three issued").isTrue();
    assertThat(cache.due()).as("only once for those three").isFalse();
    for (int i = 0; i < 7; i++) {
      ServedCertificate.nextAlias();
    }
    assertThat(cache.due()).as("seven more: one renewal, not two").isTrue();
    assertThat(cache.due()).isFalse();
  }

  @Test
  void issued_aliases_count_up_by_one_per_alias() {
    long before = ServedCertificate.aliasesIssued();
    String alias = ServedCertificate.nextAlias();
    assertThat(ServedCertificate.aliasesIssued()).isEqualTo(before + 1);
    assertThat(alias).isEqualTo("gatehouse-" + (before + 1));
  }

  @Test
  void openssl_contexts_get_netty_s_caching_factory_over_the_same_key_manager() throws Exception {
    KeyManagerFactory kmf =
        io.vertx.core.net.KeyCertOptions.wrap(
                new SniKeyManager(
                    new java.util.concurrent.atomic.AtomicReference<>(
                        CertificateIndex.of(SniServerITBase.DEFAULT))))
            .getKeyManagerFactory(null);
    KeyManagerFactory caching = KeyMaterialCache.caching(kmf);
    assertThat(caching).isInstanceOf(OpenSslCachingX509KeyManagerFactory.class);
    assertThat(caching.getKeyManagers()).containsExactly(kmf.getKeyManagers());
  }

  @Test
  void a_non_positive_threshold_is_refused() {
    assertThatThrownBy(() -> new KeyMaterialCache(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
