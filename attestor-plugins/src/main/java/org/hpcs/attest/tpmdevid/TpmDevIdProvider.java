package org.hpcs.attest.tpmdevid;

import java.time.Clock;
import java.util.Map;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestorProvider;
import org.hpcs.attest.EvidenceVerifier;
import org.hpcs.attest.InMemoryNonceStore;
import org.hpcs.attest.NodeAttestor;
import org.hpcs.attest.NonceStore;
import org.hpcs.attest.VerifierServices;

/**
 * The {@code tpm-devid} attestor: a DevID key in the node's TPM, certified by the site CA and bound
 * to the TPM's endorsement key by credential activation. Its verifier is a {@link
 * org.hpcs.attest.MultiRoundVerifier}.
 */
public final class TpmDevIdProvider implements AttestorProvider {
  /** The attestor name in configuration files and evidence. */
  public static final String NAME = "tpm-devid";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public NodeAttestor nodeAttestor(Map<String, String> config) throws AttestationException {
    return new TpmDevIdNodeAttestor(TpmDevIdNodeConfig.parse(config));
  }

  @Override
  public EvidenceVerifier verifier(Map<String, String> config, VerifierServices services)
      throws AttestationException {
    NonceStore nonces = services.lookup(NonceStore.class).orElseGet(InMemoryNonceStore::new);
    return new TpmDevIdVerifier(TpmDevIdVerifierConfig.parse(config), nonces, Clock.systemUTC());
  }
}
