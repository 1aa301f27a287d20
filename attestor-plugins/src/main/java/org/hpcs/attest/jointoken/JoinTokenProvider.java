package org.hpcs.attest.jointoken;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestorProvider;
import org.hpcs.attest.EvidenceVerifier;
import org.hpcs.attest.NodeAttestor;
import org.hpcs.attest.VerifierServices;

/**
 * Provides the {@code join-token} attestor. Node config: {@code tokenFile} (path of a 0600 file
 * holding the token). Server config: none; the server must offer a {@link JoinTokenStore}.
 */
public final class JoinTokenProvider implements AttestorProvider {
  /** The attestor name. */
  public static final String NAME = "join-token";

  private final Clock clock;

  /** Creates the provider with the system clock; used by {@link java.util.ServiceLoader}. */
  public JoinTokenProvider() {
    this(Clock.systemUTC());
  }

  /** Creates the provider with a given clock. */
  public JoinTokenProvider(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public NodeAttestor nodeAttestor(Map<String, String> config) throws AttestationException {
    rejectUnknownKeys(config, Set.of("tokenFile"));
    String tokenFile = config.get("tokenFile");
    if (tokenFile == null || tokenFile.isBlank()) {
      throw new AttestationException(
          "config-invalid",
          "join-token attestor: missing key 'tokenFile' (path of a 0600 file"
              + " holding the token)");
    }
    return new JoinTokenAttestor(Path.of(tokenFile));
  }

  @Override
  public EvidenceVerifier verifier(Map<String, String> config, VerifierServices services)
      throws AttestationException {
    rejectUnknownKeys(config, Set.of());
    JoinTokenStore store =
        services
            .lookup(JoinTokenStore.class)
            .orElseThrow(
                () ->
                    new AttestationException(
                        "config-invalid",
                        "join-token verifier needs a JoinTokenStore, which this server does not"
                            + " offer"));
    return new JoinTokenVerifier(store, clock);
  }

  private static void rejectUnknownKeys(Map<String, String> config, Set<String> known)
      throws AttestationException {
    Set<String> unknown = new TreeSet<>(config.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new AttestationException(
          "config-invalid",
          "join-token attestor: unknown config keys " + unknown + "; known keys are " + known);
    }
  }
}
