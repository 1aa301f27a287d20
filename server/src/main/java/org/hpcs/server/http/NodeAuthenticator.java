package org.hpcs.server.http;

import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.svid.x509svid.X509SvidValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.hpcs.server.store.NodeRecord;
import org.hpcs.server.store.NodeStore;

/**
 * Authenticates node agents by their TLS client certificate. The TLS layer accepts any client
 * certificate whose key the client holds, so that a missing or foreign certificate gets a JSON
 * error; this class then checks the chain against the SPIFFE trust bundle, the SPIFFE ID's form and
 * the node's enrolment.
 */
public final class NodeAuthenticator {
  private static final Pattern NODE_PATH = Pattern.compile("/hpcs/node/([A-Za-z0-9._-]{1,64})");
  private static final int URI_SAN = 6;
  private static final int KEY_USAGE_DIGITAL_SIGNATURE = 0;
  private static final int KEY_USAGE_CERT_SIGN = 5;
  private static final int KEY_USAGE_CRL_SIGN = 6;

  private final TrustBundle bundle;
  private final NodeStore nodes;

  /** Creates the authenticator. */
  public NodeAuthenticator(TrustBundle bundle, NodeStore nodes) {
    this.bundle = bundle;
    this.nodes = nodes;
  }

  /**
   * Returns the node behind the session.
   *
   * @throws ApiException 401 without a client certificate, 403 for a certificate outside the trust
   *     domain, an identity that is not a node agent, or a node that is not enrolled or revoked
   */
  public Caller.Node authenticate(SSLSession session) throws ApiException {
    List<X509Certificate> chain = chain(session);
    try {
      X509SvidValidator.verifyChain(chain, bundle);
    } catch (CertificateException | BundleNotFoundException | RuntimeException e) {
      throw ApiException.forbidden(
          "client-certificate-untrusted",
          "client certificate is not an X.509-SVID of trust domain "
              + bundle.trustDomain()
              + ": use the node agent's SVID from its SPIRE agent");
    }
    checkLeafUsage(chain.get(0));
    SpiffeId id = spiffeId(chain.get(0));
    var matcher = NODE_PATH.matcher(id.getPath());
    if (!id.getTrustDomain().equals(bundle.trustDomain()) || !matcher.matches()) {
      throw ApiException.forbidden(
          "not-a-node-identity",
          "SPIFFE ID "
              + id
              + " is not a node agent identity (spiffe://"
              + bundle.trustDomain()
              + "/hpcs/node/<node>)");
    }
    String node = matcher.group(1);
    Optional<NodeRecord> record = nodes.find(node);
    if (record.isEmpty()) {
      throw ApiException.forbidden(
          "node-not-enrolled", "node " + node + " is not enrolled: enrol it with a join token");
    }
    if (!record.get().trusted()) {
      throw ApiException.forbidden(
          "node-revoked",
          "node "
              + node
              + " is "
              + record.get().status()
              + ": an admin must reinstate it and it"
              + " must enrol again");
    }
    return new Caller.Node(node, id.toString());
  }

  private static List<X509Certificate> chain(SSLSession session) throws ApiException {
    Certificate[] certificates;
    try {
      certificates = session == null ? new Certificate[0] : session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      certificates = new Certificate[0];
    }
    List<X509Certificate> chain = new ArrayList<>();
    for (Certificate certificate : certificates) {
      if (certificate instanceof X509Certificate x509) {
        chain.add(x509);
      }
    }
    if (chain.isEmpty()) {
      throw ApiException.unauthorized(
          "client-certificate-required",
          "this endpoint needs the node agent's X.509-SVID as TLS client certificate");
    }
    return chain;
  }

  /**
   * Applies the X.509-SVID rules for leaf certificates: not a CA, digitalSignature set, and neither
   * keyCertSign nor cRLSign. A chain check alone accepts a CA certificate that carries a node ID.
   */
  private static void checkLeafUsage(X509Certificate leaf) throws ApiException {
    boolean[] usage = leaf.getKeyUsage();
    String problem = null;
    if (leaf.getBasicConstraints() >= 0) {
      problem = "is a CA certificate (basicConstraints CA=true)";
    } else if (usage == null || !usage[KEY_USAGE_DIGITAL_SIGNATURE]) {
      problem = "lacks the digitalSignature key usage";
    } else if (usage.length > KEY_USAGE_CRL_SIGN
        && (usage[KEY_USAGE_CERT_SIGN] || usage[KEY_USAGE_CRL_SIGN])) {
      problem = "may sign certificates or CRLs";
    }
    if (problem != null) {
      throw ApiException.forbidden(
          "not-a-node-identity",
          "client certificate "
              + problem
              + ", which an X.509-SVID leaf must not be: use the node agent's SVID from its SPIRE"
              + " agent");
    }
  }

  private static SpiffeId spiffeId(X509Certificate leaf) throws ApiException {
    List<String> uris = new ArrayList<>();
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (name.size() == 2 && Integer.valueOf(URI_SAN).equals(name.get(0))) {
            uris.add(String.valueOf(name.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      uris.clear();
    }
    if (uris.size() != 1) {
      throw ApiException.forbidden(
          "not-a-node-identity", "client certificate must carry exactly one SPIFFE ID URI");
    }
    try {
      return SpiffeId.parse(uris.get(0));
    } catch (IllegalArgumentException e) {
      throw ApiException.forbidden(
          "not-a-node-identity", "client certificate URI is not a SPIFFE ID: " + e.getMessage());
    }
  }
}
