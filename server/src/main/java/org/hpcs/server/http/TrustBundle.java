package org.hpcs.server.http;

import io.spiffe.bundle.BundleSource;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.spiffeid.TrustDomain;
import java.util.concurrent.atomic.AtomicReference;

/** The current X.509 trust bundle of the node agents' trust domain, replaced on refresh. */
public final class TrustBundle implements BundleSource<X509Bundle> {
  private final TrustDomain trustDomain;
  private final AtomicReference<X509Bundle> current = new AtomicReference<>();

  /** Creates an empty holder; every node request fails until the first {@link #update}. */
  public TrustBundle(TrustDomain trustDomain) {
    this.trustDomain = trustDomain;
  }

  /** Returns the trust domain. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** Replaces the bundle. */
  public void update(X509Bundle bundle) {
    if (!bundle.getTrustDomain().equals(trustDomain)) {
      throw new IllegalArgumentException(
          "bundle of trust domain " + bundle.getTrustDomain() + " given for " + trustDomain);
    }
    current.set(bundle);
  }

  @Override
  public X509Bundle getBundleForTrustDomain(TrustDomain domain) throws BundleNotFoundException {
    X509Bundle bundle = current.get();
    if (bundle == null || !domain.equals(trustDomain)) {
      throw new BundleNotFoundException("no X.509 bundle for trust domain " + domain);
    }
    return bundle;
  }
}
