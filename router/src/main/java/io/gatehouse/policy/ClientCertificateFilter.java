package io.gatehouse.policy;

import io.gatehouse.model.ClientAuth;
import java.security.cert.Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * Admission: the route's client-certificate rule. 421 when the TLS connection was made for another
 * name (HTTP/2 coalescing: the certificate was asked for, and verified, for that name only, so the
 * client must open a connection for this host); 403 when a required certificate is missing or a
 * sent one does not verify against the route's CAs. An accepted verdict goes to the request for the
 * upstream's headers, and a verified leaf to {@code ssl-client-cert} when the route passes it on.
 * The verdict is kept on the connection ({@link ConnectionMemo}) for the next request to the same
 * route on the same TLS session, so a chain is verified once, not per request.
 */
public final class ClientCertificateFilter implements AdmissionFilter {
  private final ClientCertificateCheck check;

  ClientCertificateFilter(ClientCertificateCheck check) {
    this.check = check;
  }

  @Override
  public int admit(RequestContext r) {
    ClientCertificateCheck.Result result;
    if (!r.tls()) {
      result = check.check(null);
    } else {
      String sni = r.sniName();
      if (sni != null && !sni.isEmpty() && !sameName(sni, r.host())) {
        return 421;
      }
      SSLSession session = r.sslSession();
      ConnectionMemo memo = r.connectionMemo();
      // certResult is set with certCheck; its null check only tells the types so.
      if (memo != null
          && memo.certCheck == check
          && memo.certSession == session
          && memo.certResult != null) {
        result = memo.certResult;
      } else {
        result = check.check(peerChain(session));
        if (memo != null) {
          memo.certCheck = check;
          memo.certSession = session;
          memo.certResult = result;
        }
      }
    }
    switch (result.outcome()) {
      case VERIFIED -> {
        r.clientCertificate(result);
        String pem = result.certificate();
        if (pem != null) {
          r.upstreamHeader(ClientAuth.CERTIFICATE_HEADER, pem);
        }
        return PROCEED;
      }
      case ABSENT -> {
        if (!check.required()) {
          r.clientCertificate(result);
          return PROCEED;
        }
      }
      case REFUSED -> {}
    }
    return 403;
  }

  private static Certificate @Nullable [] peerChain(@Nullable SSLSession session) {
    if (session == null) {
      return null;
    }
    try {
      return session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  private static boolean sameName(String sni, @Nullable String host) {
    if (host == null) {
      return false;
    }
    int n = sni.endsWith(".") ? sni.length() - 1 : sni.length();
    return n == host.length() && sni.regionMatches(true, 0, host, 0, n);
  }
}
