package org.hpcs.attest.tpmdevid;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builds and validates a certificate path to configured anchors with the JDK's PKIX. */
final class Pkix {
  private Pkix() {}

  /**
   * Validates {@code leaf} against the anchors, using the given intermediates.
   *
   * @throws CertPathBuilderException when no valid path exists
   */
  static void validate(
      X509Certificate leaf, List<X509Certificate> intermediates, Set<TrustAnchor> anchors)
      throws CertPathBuilderException {
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(leaf);
      PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
      // NOTE: revocation is not checked; sites revoke a DevID or EK by removing it from the
      // allow-list or by re-issuing the CA.
      parameters.setRevocationEnabled(false);
      List<X509Certificate> store = new ArrayList<>(intermediates);
      store.add(leaf);
      parameters.addCertStore(
          CertStore.getInstance("Collection", new CollectionCertStoreParameters(store)));
      CertPathBuilder.getInstance("PKIX").build(parameters);
    } catch (CertPathBuilderException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot build a PKIX path", e);
    }
  }
}
