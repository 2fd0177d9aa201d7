package io.gatehouse.table.codec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.FrontendValidation;
import io.gatehouse.model.Limits;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.Compression;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.model.policy.URLRewrite;
import io.gatehouse.table.EntryKind;
import io.gatehouse.table.FormatGate;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Entry payloads as versioned JSON: {@code {"v":1,"value":{...}}}. Records map field by field, so a
 * later release can add fields: an older node ignores fields it does not know, and a newer node
 * reads a missing field as null, which the model's constructors turn into the default. A change
 * that cannot be expressed that way bumps {@link #FORMAT} and adds a reader for the old one.
 *
 * <p>Format 2: a route lists {@code backends}, each a {@code ref} tagged with its {@code kind}
 * ({@code static}, {@code named}, {@code service}) and a {@code weight}. Format 1 held one {@code
 * backend} (static endpoints, no kind). A release that reads only format 1 fails on a format 2
 * payload, and would read a {@code backends} field added to format 1 as a route without a backend;
 * so a route that format 1 can express (one static backend at weight 1) is still written as format
 * 1, and a route in the new shapes is written only once every member reads format 2 ({@link
 * FormatGate}, fed by {@link #formatOf}). A named backend ({@link BackendObject}) is a kind those
 * releases do not know, so it is always format 2. The tag is added here, by a mix-in, so the model
 * stays free of Jackson. A route with policies ({@code policies}, each tagged with its {@code
 * type}) is format 2 too, for the same reason: format 1 readers would ignore them.
 *
 * <p>Format 3 (issue #15): the access-control policies and a client certificate's {@code
 * verifyDepth} and {@code passCertificate} ({@link #needsFormat3}). Only the routes that use them
 * are written in it; every other payload keeps its format and its bytes.
 *
 * <p>Format 4: a route's own response head limit ({@code limits.maxResponseHeaderBytes}) and a
 * forward auth's sign-in redirect other than the original URL as {@code rd} ({@code
 * ForwardAuth.signinRedirect}, {@code signinRedirectParam}: the oauth2-proxy pattern) ({@link
 * #needsFormat4}). A format 3 reader would ignore them (answer 502 to the large heads the route
 * allows; send browsers to sign in with another redirect), so only a route that sets one is written
 * in format 4, and only once every member reads it; a route without them is written without the
 * keys, in the format and with the bytes it had.
 *
 * <p>Format 5 (issue #17): a backend that answers a fixed status ({@link BackendRef.Unresolved},
 * kind {@code unresolved}) and a Service port of another namespace ({@code namespace}) ({@link
 * #needsFormat5}). A format 4 reader fails on the kind, and would read the namespace-less Service
 * of the route's own namespace (another Service, or none) in place of the granted one; so only a
 * route that has one is written in format 5, and only once every member reads it (a Kubernetes
 * route is held back until then). Every other payload keeps its format and its bytes.
 *
 * <p>Format 6 (issue #19): a TLS passthrough route ({@code tls.passthrough}, {@link
 * #needsFormat6}); only such a route is written in it.
 *
 * <p>Format 7 (issue #19): a backend that sends the PROXY protocol header ({@code proxyProtocol},
 * {@link #needsFormat7}), static in a route or a named backend. A format 6 reader would ignore the
 * key and connect without the header, which such an endpoint refuses (or, worse, reads the request
 * line as one); so only those payloads are written in format 7, and only once every member reads
 * it. A backend without it is written without the key, in the format and with the bytes it had.
 *
 * <p>Format 8 (issues #17, #19): a passthrough route with a backend that answers a fixed status (a
 * Gateway API TLSRoute's backendRef that does not resolve; {@link #needsFormat8}). A format 7
 * reader gives such a backend no weight and sends its share of connections to the route's other
 * backends, where this release refuses them; so only those routes are written in format 8.
 *
 * <p>Format 9 (issue #17, a listener per Gateway): a listener ({@link ListenerSpec}, a kind older
 * releases do not know, with its HTTPS default certificate) and a route served on one listener
 * alone ({@code listener}). A format 8 reader would ignore the key and serve the route on the
 * node's own listeners, reachable through every Gateway; so only those payloads are written in
 * format 9, and only once every member reads it. A route without a listener is written without the
 * key, in the format and with the bytes it had, so a mixed cluster keeps working until a Gateway
 * uses an address.
 *
 * <p>Format 10 (issue #17): a route whose wildcard hosts cover any number of labels ({@code
 * wildcardsAnyDepth}, Gateway API hostnames). A format 9 reader would ignore the key and serve
 * {@code a.b.example.com} from another route, or not at all; so only those routes are written in
 * format 10 (the translator sets it only on routes with a wildcard host).
 *
 * <p>Format 11 (issue #17): a route with a backend that has filters of its own ({@code
 * backends[].filters}, Gateway API filters on a backendRef). A format 10 reader would ignore them
 * and send that backend's requests without its header edits or rewrite; so only those routes are
 * written in format 11. A backend without filters is written without the key.
 *
 * <p>Format 12 adds the subject alternative names an upstream's certificate must carry ({@code
 * tls.subjectAltNames} of a Service port, Gateway API BackendTLSPolicy; {@link #needsFormat12}). A
 * format 11 reader would ignore the key and check the host name instead; so only those routes are
 * written in format 12, and only once every member reads it. An upstream TLS setting without them
 * is written without the key, with the bytes it had.
 *
 * <p>Format 13 (issue #17): a listener with client certificates ({@code clientValidation}, Gateway
 * API {@code spec.tls.frontend}) or with the hostnames of its Gateway listeners ({@code hostnames},
 * for 421). A format 12 reader would ignore the keys and serve the socket without asking for a
 * certificate; so only those listeners are written in format 13.
 */
public final class EntryCodec {
  /**
   * The newest payload format this release reads and writes; what a member advertises to the {@link
   * FormatGate}.
   */
  public static final int FORMAT = FormatGate.READS;

  /** The format written for every payload that it can express. */
  static final int FORMAT_1 = 1;

  /** Several backends, named backends, backend policies and the policies before issue #15. */
  static final int FORMAT_2 = 2;

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = BackendSpec.class, name = "static"),
    @JsonSubTypes.Type(value = BackendRef.Named.class, name = "named"),
    @JsonSubTypes.Type(value = BackendRef.ServicePort.class, name = "service"),
    @JsonSubTypes.Type(value = BackendRef.Unresolved.class, name = "unresolved")
  })
  private interface BackendRefKinds {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = RequestHeaders.class, name = "requestHeaders"),
    @JsonSubTypes.Type(value = ResponseHeaders.class, name = "responseHeaders"),
    @JsonSubTypes.Type(value = RequestRedirect.class, name = "requestRedirect"),
    @JsonSubTypes.Type(value = URLRewrite.class, name = "urlRewrite"),
    @JsonSubTypes.Type(value = Cors.class, name = "cors"),
    @JsonSubTypes.Type(value = Compression.class, name = "compression"),
    @JsonSubTypes.Type(value = SessionPersistence.class, name = "sessionPersistence"),
    @JsonSubTypes.Type(value = RequestMirror.class, name = "requestMirror"),
    @JsonSubTypes.Type(value = ErrorPages.class, name = "errorPages"),
    @JsonSubTypes.Type(value = Retry.class, name = "retry"),
    @JsonSubTypes.Type(value = IpAccess.class, name = "ipAccess"),
    @JsonSubTypes.Type(value = BasicAuth.class, name = "basicAuth"),
    @JsonSubTypes.Type(value = JwtAuth.class, name = "jwtAuth"),
    @JsonSubTypes.Type(value = ForwardAuth.class, name = "forwardAuth"),
    @JsonSubTypes.Type(value = RateLimit.class, name = "rateLimit"),
    @JsonSubTypes.Type(value = ConnectionLimit.class, name = "connectionLimit")
  })
  private interface PolicyKinds {}

  /**
   * A backend without a policy of its own is written as before backend policies (no {@code policy}
   * key), so every other payload keeps its bytes; one with a policy is format 2 ({@link
   * #inFormat1}), since a format 1 reader would drop the policy and serve without it.
   */
  private interface BackendSpecFields {
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Nullable BackendPolicy policy();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Nullable ProxyProtocolVersion proxyProtocol();
  }

  /**
   * A Service port of the route's own namespace is written as before cross-namespace references (no
   * {@code namespace} key), so its payload keeps its bytes; its policy as a static backend's.
   */
  private interface ServicePortFields extends BackendSpecFields {
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Nullable String namespace();
  }

  /**
   * A backend without a canary rule is written as before canaries (no {@code canary} key), so the
   * payloads of every other route keep their bytes. A route with a canary has two backends or more,
   * so it is format 2 already. A canary rule writes only the keys it sets.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  private interface RouteBackendFields {
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    List<PolicySpec> filters();
  }

  /**
   * A client-certificate setting without a depth limit or a passed certificate is written as before
   * those settings (no keys), so existing payloads keep their bytes.
   */
  private interface ClientAuthFields {
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    int verifyDepth();

    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    boolean passCertificate();
  }

  /** A route on the node's own listeners is written as before listeners (no key). */
  private interface RouteSpecFields {
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Nullable ListenerKey listener();

    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    boolean wildcardsAnyDepth();
  }

  /**
   * A listener without its own default certificate, client certificates or hostnames has none of
   * those keys (an HTTP one never has).
   */
  private interface ListenerSpecFields {
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Nullable CertificateKey defaultCertificate();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Nullable FrontendValidation clientValidation();

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    List<String> hostnames();
  }

  /** Upstream TLS without subject alternative names is written as before them (no key). */
  private interface UpstreamTlsFields {
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    List<String> subjectAltNames();
  }

  /** Limits without their own response head limit are written as before it (no key). */
  private interface LimitsFields {
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    int maxResponseHeaderBytes();
  }

  private final ObjectMapper mapper;
  private final int reads;

  public EntryCodec() {
    this(FORMAT);
  }

  /** A codec that reads formats up to {@code reads} only: how an older release sees a payload. */
  EntryCodec(int reads) {
    this.reads = reads;
    SimpleModule durations = new SimpleModule("gatehouse-durations");
    durations.addSerializer(
        Duration.class,
        new JsonSerializer<>() {
          @Override
          public void serialize(Duration d, JsonGenerator g, SerializerProvider p)
              throws IOException {
            g.writeString(d.toString());
          }
        });
    durations.addDeserializer(
        Duration.class,
        new JsonDeserializer<>() {
          @Override
          public Duration deserialize(JsonParser p, DeserializationContext c) throws IOException {
            return Duration.parse(p.getValueAsString());
          }
        });
    mapper =
        JsonMapper.builder()
            .addModule(durations)
            .addMixIn(BackendRef.class, BackendRefKinds.class)
            .addMixIn(PolicySpec.class, PolicyKinds.class)
            .addMixIn(RouteBackend.class, RouteBackendFields.class)
            .addMixIn(CanaryRule.class, RouteBackendFields.class)
            .addMixIn(BackendSpec.class, BackendSpecFields.class)
            .addMixIn(BackendRef.ServicePort.class, ServicePortFields.class)
            .addMixIn(ClientAuth.class, ClientAuthFields.class)
            .addMixIn(Limits.class, LimitsFields.class)
            .addMixIn(UpstreamTls.class, UpstreamTlsFields.class)
            .addMixIn(RouteSpec.class, RouteSpecFields.class)
            .addMixIn(ListenerSpec.class, ListenerSpecFields.class)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build();
  }

  /**
   * The JSON of {@code value}, one of the {@link EntryKind} records, in format 1 when that format
   * can express it.
   */
  public String encode(Object value) {
    ObjectNode tree = mapper.valueToTree(value);
    int format = formatOf(value);
    if (value instanceof RouteSpec && format == FORMAT_1) {
      tree = routeToFormat1(tree);
    }
    ObjectNode doc = mapper.createObjectNode();
    doc.put("v", format);
    doc.set("value", tree);
    try {
      return mapper.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  /** The payload format {@link #encode} writes {@code value} in: what a member must read. */
  public int formatOf(Object value) {
    if (value instanceof BackendObject object) {
      // a kind the releases before format 2 do not know at all
      return object.spec().proxyProtocol() != null ? 7 : FORMAT_2;
    }
    if (value instanceof ListenerSpec l) {
      return l.clientValidation() != null || !l.hostnames().isEmpty() ? 13 : 9;
    }
    if (!(value instanceof RouteSpec route)) {
      return FORMAT_1;
    }
    if (needsFormat12(route)) {
      return 12;
    }
    if (route.backends().stream().anyMatch(b -> !b.filters().isEmpty())) {
      return 11;
    }
    if (route.wildcardsAnyDepth()) {
      return 10;
    }
    if (route.listener() != null) {
      return 9;
    }
    if (needsFormat8(route)) {
      return 8;
    }
    if (needsFormat7(route)) {
      return 7;
    }
    if (needsFormat6(route)) {
      return 6;
    }
    if (needsFormat5(route)) {
      return 5;
    }
    if (needsFormat4(route)) {
      return 4;
    }
    return needsFormat3(route) ? 3 : inFormat1(route) ? FORMAT_1 : FORMAT_2;
  }

  /** Reads what {@link #encode} wrote, in this format or an older one. */
  public Object decode(EntryKind kind, String json) {
    try {
      JsonNode doc = mapper.readTree(json);
      int format = doc.path("v").asInt(-1);
      if (format < 1 || format > reads) {
        throw new IllegalArgumentException(
            "payload format "
                + format
                + " is not readable by this release (reads 1.."
                + reads
                + ")");
      }
      JsonNode value = doc.get("value");
      if (format == FORMAT_1 && kind == EntryKind.ROUTE && value instanceof ObjectNode route) {
        value = routeFromFormat1(route);
      }
      return mapper.treeToValue(value, kind.type());
    } catch (JsonProcessingException e) {
      // Jackson's messages quote the document, which may hold a private key: name the place only.
      throw new IllegalArgumentException(
          "cannot decode a "
              + kind
              + " payload ("
              + e.getClass().getSimpleName()
              + (e.getLocation() == null ? "" : " at offset " + e.getLocation().getCharOffset())
              + ")");
    }
  }

  /**
   * Whether an older release reads {@code route} as it is: one static backend at weight 1 without a
   * backend policy, and no policies (a release before policies would ignore them and serve the
   * route without them).
   */
  static boolean inFormat1(RouteSpec route) {
    return route.policies().isEmpty()
        && route.backends().size() == 1
        && route.backends().get(0).weight() == RouteBackend.DEFAULT_WEIGHT
        && route.backends().get(0).ref() instanceof BackendSpec only
        && only.policy() == null;
  }

  /**
   * Whether {@code route} uses what format 2 readers would get wrong: an access-control policy
   * (issue #15; a format 2 reader fails on its type, and must not serve the route without it) or a
   * client-certificate depth limit or passed certificate (a format 2 reader would ignore them and
   * accept longer chains).
   */
  static boolean needsFormat3(RouteSpec route) {
    for (PolicySpec p : route.policies()) {
      if (p instanceof IpAccess
          || p instanceof BasicAuth
          || p instanceof JwtAuth
          || p instanceof ForwardAuth
          || p instanceof RateLimit
          || p instanceof ConnectionLimit) {
        return true;
      }
    }
    ClientAuth ca = route.tls() == null ? null : route.tls().clientAuth();
    return ca != null && (ca.verifyDepth() != 0 || ca.passCertificate());
  }

  /**
   * Whether {@code route} sets its own response head limit or a forward auth's sign-in redirect
   * other than the default, which a format 3 reader would ignore.
   */
  static boolean needsFormat4(RouteSpec route) {
    if (route.limits().maxResponseHeaderBytes() != 0) {
      return true;
    }
    for (PolicySpec p : route.policies()) {
      if (p instanceof ForwardAuth f
          && (f.signinRedirect() != ForwardAuth.SigninRedirect.URL
              || !f.signinRedirectParam().equals(ForwardAuth.DEFAULT_SIGNIN_REDIRECT_PARAM))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code route} has a static backend that sends the PROXY protocol header, as a backend,
   * a mirror's or an error page's target.
   */
  static boolean needsFormat7(RouteSpec route) {
    return anyTarget(route, EntryCodec::sendsProxyHeader);
  }

  /** Whether a backend of {@code route}, a mirror's or an error page's target, is {@code which}. */
  private static boolean anyTarget(RouteSpec route, Predicate<BackendRef> which) {
    for (RouteBackend b : route.backends()) {
      if (which.test(b.ref())) {
        return true;
      }
    }
    for (PolicySpec p : route.policies()) {
      if (p instanceof RequestMirror m && which.test(m.backendRef())) {
        return true;
      }
      if (p instanceof ErrorPages e && e.backend() != null && which.test(e.backend())) {
        return true;
      }
    }
    return false;
  }

  private static boolean sendsProxyHeader(BackendRef ref) {
    return ref instanceof BackendSpec s && s.proxyProtocol() != null;
  }

  /**
   * Whether {@code route} has a Service port whose TLS names the subject alternative names to
   * verify, as a backend, a mirror's or an error page's target.
   */
  static boolean needsFormat12(RouteSpec route) {
    return anyTarget(route, EntryCodec::namesSubjectAltNames);
  }

  private static boolean namesSubjectAltNames(BackendRef ref) {
    UpstreamTls tls =
        ref instanceof BackendRef.ServicePort sp
            ? sp.tls()
            : ref instanceof BackendSpec s ? s.tls() : null;
    return tls != null && !tls.subjectAltNames().isEmpty();
  }

  /** Whether {@code route} passes TLS through and has a backend that answers a fixed status. */
  static boolean needsFormat8(RouteSpec route) {
    return needsFormat6(route)
        && route.backends().stream().anyMatch(b -> b.ref() instanceof BackendRef.Unresolved);
  }

  /**
   * Whether {@code route} is a TLS passthrough route. A format 5 reader ignores the flag and reads
   * a route that names no certificate: it would serve the host's plain HTTP to a TLS backend and
   * terminate its TLS with the default certificate.
   */
  static boolean needsFormat6(RouteSpec route) {
    return route.tls() != null && route.tls().passthrough();
  }

  /**
   * Whether {@code route} has a backend that answers a fixed status or names a Service of another
   * namespace, as a backend (a canary among them), a mirror's or an error page's target.
   */
  static boolean needsFormat5(RouteSpec route) {
    for (RouteBackend b : route.backends()) {
      if (needsFormat5(b.ref())) {
        return true;
      }
    }
    for (PolicySpec p : route.policies()) {
      if (p instanceof RequestMirror m && needsFormat5(m.backendRef())) {
        return true;
      }
      if (p instanceof ErrorPages e && e.backend() != null && needsFormat5(e.backend())) {
        return true;
      }
    }
    return false;
  }

  private static boolean needsFormat5(BackendRef ref) {
    return ref instanceof BackendRef.Unresolved
        || (ref instanceof BackendRef.ServicePort sp && sp.namespace() != null);
  }

  /**
   * A format 2 route tree as format 1 wrote it: {@code backend} is the one ref without its kind.
   * Fields stay in name order, so the text equals what format 1 wrote.
   */
  private static ObjectNode routeToFormat1(ObjectNode route) {
    ObjectNode backend = (ObjectNode) route.get("backends").get(0).get("ref");
    backend.remove("kind");
    Map<String, JsonNode> fields = new TreeMap<>();
    for (Map.Entry<String, JsonNode> f : route.properties()) {
      fields.put(f.getKey(), f.getValue());
    }
    fields.remove("backends");
    fields.remove("policies"); // empty here: format 1 had no such field
    fields.put("backend", backend);
    ObjectNode out = route.objectNode();
    fields.forEach(out::set);
    return out;
  }

  /** A format 1 route tree as format 2 reads it: its {@code backend} is the one static ref. */
  private static ObjectNode routeFromFormat1(ObjectNode route) {
    JsonNode backend = route.remove("backend");
    if (backend instanceof ObjectNode b) {
      ObjectNode ref = route.objectNode().put("kind", "static");
      ref.setAll(b);
      ArrayNode backends = route.putArray("backends");
      backends.addObject().put("weight", RouteBackend.DEFAULT_WEIGHT).set("ref", ref);
    }
    return route;
  }
}
