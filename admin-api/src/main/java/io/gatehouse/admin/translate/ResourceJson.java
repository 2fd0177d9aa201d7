package io.gatehouse.admin.translate;

import io.gatehouse.model.HostClaim;
import io.gatehouse.model.TenantSpec;
import io.gatehouse.model.TokenSpec;
import io.gatehouse.table.MemberInfo;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** The small resources' REST forms. */
public final class ResourceJson {
  private ResourceJson() {}

  public static JsonObject tenant(TenantSpec t, long revision) {
    return new JsonObject()
        .put("name", t.id().value())
        .put("displayName", t.displayName())
        .put("revision", revision);
  }

  public static JsonObject hostClaim(HostClaim c, long revision) {
    return new JsonObject()
        .put("host", c.host())
        .put("tenant", c.tenant().value())
        .put("revision", revision);
  }

  /** Never the hash: a token's metadata only. */
  public static JsonObject token(TokenSpec t, long revision) {
    JsonObject o =
        new JsonObject()
            .put("id", t.id())
            .put("admin", t.admin())
            .put("description", t.description())
            .put("createdAt", Instant.ofEpochMilli(t.createdEpochMillis()).toString())
            .put("revision", revision);
    if (t.tenant() != null) {
      o.put("tenant", t.tenant().value());
    }
    return o;
  }

  public static JsonObject member(MemberInfo m) {
    return new JsonObject()
        .put("id", m.id())
        .put("address", m.address())
        .put("local", m.local())
        .put("servedGeneration", m.servedGeneration())
        .put("startedAt", Instant.ofEpochMilli(m.startedEpochMillis()).toString())
        .put("version", m.version())
        .put("readsFormat", m.readsFormat());
  }
}
