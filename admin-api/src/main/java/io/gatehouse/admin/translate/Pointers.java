package io.gatehouse.admin.translate;

import java.util.List;
import java.util.Map;

/** Maps the validators' model field names ({@code paths[0].value}) to REST JSON pointers. */
public final class Pointers {
  // Model fields whose REST name differs; the longest prefix is tried first.
  private static final List<Map.Entry<String, String>> RENAMES =
      List.of(
          Map.entry("/limits/maxRequestBodyBytes", "/maxRequestBodyBytes"),
          Map.entry("/tls/certificateName", "/tls/certificate"),
          Map.entry("/certificateChainPem+privateKey", "/certificateChainPem"),
          Map.entry("/privateKey", "/privateKeyPem"));

  private Pointers() {}

  public static String fromField(String field) {
    String p = "/" + field.replaceAll("\\[(\\d+)]", ".$1").replace('.', '/');
    if (p.matches("/backend/endpoints/\\d+(/host|/port)?")) {
      // host and port are one REST field: address
      String base = p.replaceAll("/(host|port)$", "");
      return base + "/address";
    }
    if (p.startsWith("/certificateChainPem/")) {
      return "/certificateChainPem";
    }
    for (Map.Entry<String, String> r : RENAMES) {
      if (p.equals(r.getKey()) || p.startsWith(r.getKey() + "/")) {
        return r.getValue() + p.substring(r.getKey().length());
      }
    }
    return p;
  }
}
