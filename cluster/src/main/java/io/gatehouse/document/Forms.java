package io.gatehouse.document;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The texts of the route document's rules and its keys, kept in one place so that every source that
 * reads the document (the routes file, REST, flags, the node configuration) names a form the same
 * way. Key sets iterate in document order, which is the order problems list them in.
 */
public final class Forms {
  public static final String HOST_PORT = "HOST:PORT, as in 127.0.0.1:8080 or [::1]:8080";
  public static final String DURATION = "a duration such as 10s, 250ms, 5m, 1h or PT10S";
  public static final String BYTES = "a byte size such as 32768, 32KiB or 10MiB";

  public static final Set<String> DOCUMENT_KEYS = ordered("routes", "backends");
  public static final Set<String> ROUTE_KEYS =
      ordered(
          "name",
          "tenant",
          "hosts",
          "paths",
          "methods",
          "headers",
          "queries",
          "backend",
          "backendRefs",
          "timeouts",
          "maxRequestBodyBytes",
          "maxResponseHeaderBytes",
          "priority",
          "tls",
          "policies");
  public static final Set<String> TLS_KEYS =
      ordered("certificate", "hosts", "redirect", "hsts", "clientAuth", "passthrough");
  public static final Set<String> CLIENT_AUTH_KEYS =
      ordered("mode", "caBundle", "verifyDepth", "passCertificate");
  public static final Set<String> UPSTREAM_TLS_KEYS =
      ordered(
          "caBundle", "serverName", "verifyHostname", "insecureSkipVerify", "clientCertificate");
  public static final Set<String> KEY_CERT_KEYS = ordered("certificateChain", "privateKey");
  public static final Set<String> HSTS_KEYS = ordered("maxAge", "includeSubDomains", "preload");
  public static final Set<String> PATH_KEYS = ordered("type", "value");
  public static final Set<String> MATCH_KEYS = ordered("name", "type", "value");

  /** The keys of a backend's policy, beside its endpoints (issue #14). */
  public static final Set<String> BACKEND_POLICY_KEYS =
      ordered("loadBalancing", "healthCheck", "outlierDetection", "circuitBreaker");

  public static final Set<String> BACKEND_KEYS =
      ordered(
          "protocol",
          "endpoints",
          "tls",
          "proxyProtocol",
          "loadBalancing",
          "healthCheck",
          "outlierDetection",
          "circuitBreaker");
  public static final Set<String> BACKEND_REF_KEYS =
      ordered(
          "weight",
          "protocol",
          "endpoints",
          "tls",
          "proxyProtocol",
          "loadBalancing",
          "healthCheck",
          "outlierDetection",
          "circuitBreaker",
          "canary");
  public static final Set<String> SERVICE_REF_KEYS =
      ordered(
          "weight",
          "service",
          "protocol",
          "tls",
          "loadBalancing",
          "healthCheck",
          "outlierDetection",
          "circuitBreaker",
          "canary");
  public static final Set<String> SERVICE_KEYS = ordered("name", "port");
  public static final Set<String> NAMED_REF_KEYS = ordered("weight", "backend", "canary");
  public static final Set<String> CANARY_KEYS =
      ordered("header", "headerValue", "headerPattern", "cookie");
  public static final Set<String> NAMED_BACKEND_KEYS =
      ordered(
          "name",
          "tenant",
          "protocol",
          "endpoints",
          "tls",
          "proxyProtocol",
          "loadBalancing",
          "healthCheck",
          "outlierDetection",
          "circuitBreaker");
  public static final Set<String> LOAD_BALANCING_KEYS =
      ordered("algorithm", "hashOn", "affinity", "slowStart", "panicThreshold");
  public static final String ALGORITHMS =
      "RoundRobin, LeastRequest, PowerOfTwoChoices, PeakEWMA, RingHash or Maglev";
  public static final Set<String> HASH_ON_KEYS =
      ordered("header", "cookie", "queryParameter", "sourceAddress");
  public static final Set<String> AFFINITY_KEYS = ordered("cookie");
  public static final Set<String> AFFINITY_COOKIE_KEYS =
      ordered("name", "maxAge", "path", "secure", "sameSite", "httpOnly", "changeOnFailure");
  public static final Set<String> HEALTH_CHECK_KEYS =
      ordered(
          "http",
          "grpc",
          "tcp",
          "interval",
          "timeout",
          "jitter",
          "unhealthyThreshold",
          "healthyThreshold");
  public static final Set<String> HTTP_CHECK_KEYS = ordered("path", "host", "expectedStatuses");
  public static final Set<String> GRPC_CHECK_KEYS = ordered("service");
  public static final Set<String> OUTLIER_KEYS =
      ordered(
          "consecutive5xx",
          "consecutiveGatewayErrors",
          "successRate",
          "interval",
          "baseEjectionTime",
          "maxEjectionTime",
          "maxEjectionPercent");
  public static final Set<String> SUCCESS_RATE_KEYS =
      ordered("minimumHosts", "requestVolume", "stdevFactor");
  public static final Set<String> CIRCUIT_BREAKER_KEYS =
      ordered("maxConnections", "maxPendingRequests", "maxRequests", "maxRetries");
  public static final Set<String> RETRY_POLICY_KEYS =
      ordered(
          "type",
          "on",
          "statuses",
          "grpcStatuses",
          "attempts",
          "perTryTimeout",
          "timeout",
          "backoff",
          "budget",
          "nonIdempotent",
          "bufferBytes");
  public static final Set<String> BACKOFF_KEYS = ordered("base", "max");
  public static final Set<String> BUDGET_KEYS = ordered("percent", "minConcurrency");
  public static final Set<String> ENDPOINT_KEYS = ordered("address", "weight");
  public static final Set<String> HEADER_POLICY_KEYS = ordered("type", "set", "add", "remove");
  public static final String POLICY_TYPES =
      "RequestHeaders, ResponseHeaders, RequestRedirect, URLRewrite, CORS, Compression,"
          + " SessionPersistence, RequestMirror, ErrorPages, Retry, IpAccess, BasicAuth, JwtAuth,"
          + " ForwardAuth, RateLimit or ConnectionLimit";
  public static final Set<String> REDIRECT_POLICY_KEYS =
      ordered("type", "scheme", "hostname", "port", "path", "statusCode", "url", "rootOnly");
  public static final Set<String> REWRITE_POLICY_KEYS =
      ordered("type", "hostname", "path", "regex", "dropQuery", "forwardedPrefix");
  public static final Set<String> REGEX_KEYS = ordered("pattern", "substitution");
  public static final Set<String> PATH_MODIFIER_KEYS =
      ordered("type", "replaceFullPath", "replacePrefixMatch");
  public static final Set<String> CORS_POLICY_KEYS =
      ordered(
          "type",
          "allowOrigins",
          "allowOriginPatterns",
          "allowMethods",
          "allowHeaders",
          "exposeHeaders",
          "allowCredentials",
          "maxAge");
  public static final Set<String> COMPRESSION_POLICY_KEYS =
      ordered("type", "algorithms", "contentTypes", "minBytes", "levels");
  public static final Set<String> SESSION_POLICY_KEYS =
      ordered("type", "sessionName", "absoluteTimeout", "path", "secure", "sameSite");
  public static final Set<String> MIRROR_POLICY_KEYS =
      ordered(
          "type",
          "backendRef",
          "percent",
          "fraction",
          "hostname",
          "requestBody",
          "maxBodyBytes",
          "maxInFlight");
  public static final Set<String> FRACTION_KEYS = ordered("numerator", "denominator");
  public static final Set<String> ERROR_PAGES_POLICY_KEYS =
      ordered("type", "codes", "page", "contentType", "backend");
  // ---- access control (issue #15)

  public static final Set<String> IP_ACCESS_POLICY_KEYS = ordered("type", "allow", "deny");
  public static final Set<String> BASIC_AUTH_POLICY_KEYS =
      ordered("type", "realm", "users", "htpasswd", "htpasswdFile", "forwardAuthorization");
  public static final Set<String> USER_KEYS = ordered("name", "hash");
  public static final String USERS_FORM =
      "a list of users {name, hash} (a user without hash keeps the hash stored for that name)";
  public static final String USER_SOURCES = "one of users, htpasswd or htpasswdFile";

  public static final String PASSWORD_HASH =
      "a bcrypt ($2a$, $2b$, $2y$) or Argon2 ($argon2id$, $argon2i$, $argon2d$) hash as text";

  /** A user without hash and none stored for its name (the rest names the user). */
  public static final String HASH_NOT_KEPT =
      "a bcrypt or Argon2 hash: a user without one keeps the hash stored for its name, and none is";

  /** A JwtAuth with no key source and no stored inline keys. */
  public static final String KEYS_NOT_KEPT =
      "jwksUri or jwks: a JwtAuth without either keeps its stored inline keys, and none are";

  /** {@code jwksKeys} is written, never read: the inline keys' ids and types, without material. */
  public static final Set<String> JWT_AUTH_POLICY_KEYS =
      ordered(
          "type",
          "jwksUri",
          "jwks",
          "jwksKeys",
          "algorithms",
          "issuer",
          "audiences",
          "clockSkew",
          "requiredClaims",
          "claimHeaders",
          "forwardToken",
          "header",
          "cookie",
          "jwksCacheDuration",
          "jwksMinRefetch",
          "jwksTimeout");

  public static final Set<String> CLAIM_HEADER_KEYS = ordered("claim", "header");
  public static final String JWKS_FORM =
      "a JWK Set {keys: [...]} as a mapping or JSON text, each key with kty RSA, EC, OKP or oct"
          + " and no private members (d, p, q, dp, dq, qi, oth)";
  public static final Set<String> FORWARD_AUTH_POLICY_KEYS =
      ordered(
          "type",
          "url",
          "method",
          "requestHeaders",
          "responseHeaders",
          "signin",
          "timeout",
          "cacheKey",
          "cacheDuration",
          "signinRedirect",
          "signinRedirectParam");
  public static final String SIGNIN_REDIRECTS = "Url, EscapedUri, Uri or None";
  public static final Set<String> RATE_LIMIT_POLICY_KEYS =
      ordered("type", "name", "key", "requests", "per", "burst", "scope", "exempt");
  public static final Set<String> CONNECTION_LIMIT_POLICY_KEYS =
      ordered("type", "key", "max", "exempt");
  public static final Set<String> LIMIT_KEY_KEYS = ordered("type", "name");
  public static final String LIMIT_KEY_TYPES = "ClientAddress, Header, Claim, Route or Tenant";
  public static final String PER = "second or minute (or 1s, 1m)";
  public static final String SCOPES = "Local or Global";

  public static final Set<String> TIMEOUT_KEYS =
      ordered("connect", "response", "bodyIdle", "request");

  private Forms() {}

  private static Set<String> ordered(String... keys) {
    return Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(keys)));
  }
}
