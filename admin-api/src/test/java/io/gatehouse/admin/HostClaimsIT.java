package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HostClaimsIT {
  AdminApiFixture f;
  String a;
  String b;

  @BeforeEach
  void start() throws Exception {
    f = new AdminApiFixture();
    a = f.tenantWithToken("tenant-a");
    b = f.tenantWithToken("tenant-b");
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  static String route(String host) {
    return "{\"hosts\":[\""
        + host
        + "\"],\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.1:80\"}]}}";
  }

  @Test
  void two_tenants_racing_for_one_host_one_wins_the_other_gets_409() throws Exception {
    for (int round = 0; round < 10; round++) {
      String host = "race" + round + ".example.com";
      CountDownLatch go = new CountDownLatch(1);
      CompletableFuture<AdminApiFixture.Resp> ra =
          CompletableFuture.supplyAsync(
              () -> await(go, () -> f.put("/v1/tenants/tenant-a/host-claims/" + host, a, null)));
      CompletableFuture<AdminApiFixture.Resp> rb =
          CompletableFuture.supplyAsync(
              () -> await(go, () -> f.put("/v1/tenants/tenant-b/host-claims/" + host, b, null)));
      go.countDown();
      List<Integer> statuses =
          List.of(ra.get(20, TimeUnit.SECONDS).status(), rb.get(20, TimeUnit.SECONDS).status());
      assertThat(statuses).containsExactlyInAnyOrder(201, 409);
      AdminApiFixture.Resp loser = statuses.get(0) == 409 ? ra.get() : rb.get();
      assertThat(loser.json().getString("type")).endsWith("/host-claimed");
      assertThat(loser.json().containsKey("owner")).as("owner withheld from tenants").isFalse();
    }
  }

  @Test
  void an_admin_sees_who_holds_a_claimed_host() {
    assertThat(f.put("/v1/tenants/tenant-a/host-claims/x.example.com", a, null).status())
        .isEqualTo(201);
    AdminApiFixture.Resp r =
        f.put("/v1/tenants/tenant-b/host-claims/x.example.com", AdminApiFixture.ADMIN, null);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.json().getString("owner")).isEqualTo("tenant-a");
  }

  @Test
  void a_tenant_cannot_route_a_host_it_does_not_own() {
    assertThat(f.put("/v1/tenants/tenant-a/host-claims/mine.example.com", a, null).status())
        .isEqualTo(201);
    long before = f.table.view().generation();
    AdminApiFixture.Resp r =
        f.put("/v1/tenants/tenant-b/routes/steal", b, route("mine.example.com"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().getString("type")).endsWith("/host-not-claimed");
    assertThat(r.json().getJsonArray("errors").getJsonObject(0).getString("pointer"))
        .isEqualTo("/hosts/0");
    assertThat(f.put("/v1/tenants/tenant-b/routes/free", b, route("nobody.example.com")).status())
        .isEqualTo(403);
    assertThat(f.table.view().generation()).isEqualTo(before);
  }

  @Test
  void a_wildcard_claim_covers_one_label_and_never_overrides_another_tenants_exact_claim() {
    assertThat(f.put("/v1/tenants/tenant-a/host-claims/shop.w.example", a, null).status())
        .isEqualTo(201);
    assertThat(f.put("/v1/tenants/tenant-b/host-claims/*.w.example", b, null).status())
        .isEqualTo(201);
    assertThat(f.put("/v1/tenants/tenant-b/routes/shop", b, route("shop.w.example")).status())
        .isEqualTo(403);
    assertThat(f.put("/v1/tenants/tenant-b/routes/blog", b, route("blog.w.example")).status())
        .isEqualTo(201);
    assertThat(f.put("/v1/tenants/tenant-b/routes/deep", b, route("a.blog.w.example")).status())
        .isEqualTo(403);
    assertThat(f.put("/v1/tenants/tenant-b/routes/apex", b, route("w.example")).status())
        .isEqualTo(403);
    assertThat(f.put("/v1/tenants/tenant-b/routes/wild", b, route("*.w.example")).status())
        .isEqualTo(201);
    assertThat(f.put("/v1/tenants/tenant-a/routes/shop", a, route("shop.w.example")).status())
        .isEqualTo(201);
    // A new exact claim under another tenant's wildcard would take a host from it: refused.
    assertThat(f.put("/v1/tenants/tenant-a/host-claims/new.w.example", a, null).status())
        .isEqualTo(409);
  }

  @Test
  void a_claim_a_route_still_needs_cannot_be_released() {
    assertThat(f.put("/v1/tenants/tenant-a/host-claims/keep.example.com", a, null).status())
        .isEqualTo(201);
    assertThat(f.put("/v1/tenants/tenant-a/routes/keep", a, route("keep.example.com")).status())
        .isEqualTo(201);
    assertThat(
            f.send("DELETE", "/v1/tenants/tenant-a/host-claims/keep.example.com", a, null).status())
        .isEqualTo(409);
    assertThat(f.send("DELETE", "/v1/tenants/tenant-a/routes/keep", a, null).status())
        .isEqualTo(204);
    assertThat(
            f.send("DELETE", "/v1/tenants/tenant-a/host-claims/keep.example.com", a, null).status())
        .isEqualTo(204);
  }

  @Test
  void claiming_again_is_idempotent_and_hosts_are_normalised() {
    assertThat(f.put("/v1/tenants/tenant-a/host-claims/Www.Example.COM", a, null).status())
        .isEqualTo(201);
    AdminApiFixture.Resp again = f.put("/v1/tenants/tenant-a/host-claims/www.example.com", a, null);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getString("host")).isEqualTo("www.example.com");
    AdminApiFixture.Resp bad = f.put("/v1/tenants/tenant-a/host-claims/bad_host!", a, null);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getJsonArray("errors").getJsonObject(0).getString("pointer"))
        .isEqualTo("host");
  }

  private static AdminApiFixture.Resp await(
      CountDownLatch go, java.util.function.Supplier<AdminApiFixture.Resp> s) {
    try {
      if (!go.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("start signal missing");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return s.get();
  }
}
