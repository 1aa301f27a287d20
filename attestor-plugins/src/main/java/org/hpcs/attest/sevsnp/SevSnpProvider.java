package org.hpcs.attest.sevsnp;

import java.time.Clock;
import java.util.Map;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestorProvider;
import org.hpcs.attest.EvidenceVerifier;
import org.hpcs.attest.InMemoryNonceStore;
import org.hpcs.attest.NodeAttestor;
import org.hpcs.attest.NonceStore;
import org.hpcs.attest.VerifierServices;

/** The {@code sev-snp} attestor: AMD SEV-SNP attestation reports from confidential VMs. */
public final class SevSnpProvider implements AttestorProvider {
  /** The attestor name in configuration files and evidence. */
  public static final String NAME = "sev-snp";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public NodeAttestor nodeAttestor(Map<String, String> config) throws AttestationException {
    return new SevSnpNodeAttestor(SevSnpNodeConfig.parse(config));
  }

  @Override
  public EvidenceVerifier verifier(Map<String, String> config, VerifierServices services)
      throws AttestationException {
    NonceStore nonces = services.lookup(NonceStore.class).orElseGet(InMemoryNonceStore::new);
    return new SevSnpVerifier(SevSnpVerifierConfig.parse(config), nonces, Clock.systemUTC());
  }
}
