package org.hpcs.server.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestorProvider;
import org.hpcs.attest.EvidenceVerifier;
import org.hpcs.attest.VerifierServices;

/** The evidence verifiers of the attestors enabled in the configuration. */
public final class Verifiers {
  private final Map<String, EvidenceVerifier> byName;

  /** Wraps the given verifiers. */
  public Verifiers(Map<String, EvidenceVerifier> byName) {
    this.byName = Map.copyOf(byName);
  }

  /**
   * Loads the providers on the class path and creates a verifier for each enabled attestor.
   *
   * @throws AttestationException naming every enabled attestor that is missing or misconfigured
   */
  public static Verifiers load(Map<String, Map<String, String>> enabled, VerifierServices services)
      throws AttestationException {
    Map<String, AttestorProvider> providers = new LinkedHashMap<>();
    ServiceLoader.load(AttestorProvider.class).forEach(p -> providers.putIfAbsent(p.name(), p));
    Map<String, EvidenceVerifier> verifiers = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> entry : enabled.entrySet()) {
      AttestorProvider provider = providers.get(entry.getKey());
      if (provider == null) {
        problems.add(
            "attestor '" + entry.getKey() + "' is not installed; installed: " + providers.keySet());
        continue;
      }
      try {
        verifiers.put(entry.getKey(), provider.verifier(entry.getValue(), services));
      } catch (AttestationException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new AttestationException("config-invalid", String.join("; ", problems));
    }
    return new Verifiers(verifiers);
  }

  /** Returns the verifier of an enabled attestor. */
  public Optional<EvidenceVerifier> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Returns the enabled attestor names. */
  public List<String> names() {
    return byName.keySet().stream().sorted().toList();
  }
}
