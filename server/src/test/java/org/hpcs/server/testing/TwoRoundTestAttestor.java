package org.hpcs.server.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestedNode;
import org.hpcs.attest.AttestorProvider;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.EvidenceVerifier;
import org.hpcs.attest.MultiRoundVerifier;
import org.hpcs.attest.NodeAttestor;
import org.hpcs.attest.VerifierServices;

/**
 * An in-process two-round attestor for unit tests of the server's round handling, which the real
 * tpm-devid verifier cannot exercise without a TPM. Round 1 evidence carries {@code claim}: {@code
 * ok} passes, {@code loop} asks for another round every time, anything else is denied with {@code
 * claim-rejected}. Round 2 evidence carries {@code answer}, the hex SHA-256 of the follow-up nonce
 * and the parameter {@code salt}; a wrong answer is denied with {@code answer-wrong}.
 */
public final class TwoRoundTestAttestor implements AttestorProvider {
  /** The attestor name. */
  public static final String NAME = "two-round-test";

  private static final String SALT = "salt";
  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public NodeAttestor nodeAttestor(Map<String, String> config) throws AttestationException {
    throw new AttestationException("config-invalid", NAME + " has no node side");
  }

  @Override
  public EvidenceVerifier verifier(Map<String, String> config, VerifierServices services) {
    return new Verifier();
  }

  /** Returns the round-2 answer to a follow-up challenge's nonce and parameters. */
  public static String answer(byte[] nonce, Map<String, String> parameters) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(nonce);
      digest.update(parameters.getOrDefault(SALT, "").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class Verifier implements MultiRoundVerifier {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Optional<Challenge> followUp(Challenge challenge, Evidence evidence)
        throws AttestationException {
      String claim = evidence.fields().getOrDefault("claim", "");
      if (challenge.parameters().containsKey(SALT) && !claim.equals("loop")) {
        return Optional.empty();
      }
      if (!claim.equals("ok") && !claim.equals("loop")) {
        throw new AttestationException("claim-rejected", "claim '" + claim + "' is rejected");
      }
      byte[] nonce = new byte[32];
      RANDOM.nextBytes(nonce);
      String salt = HexFormat.of().formatHex(challenge.nonce());
      return Optional.of(
          new Challenge(nonce, challenge.nodeName(), Instant.now(), Map.of(SALT, salt)));
    }

    @Override
    public AttestedNode verify(Challenge challenge, Evidence evidence) throws AttestationException {
      if (!challenge.parameters().containsKey(SALT)) {
        throw new AttestationException("round-missing", "verify() got a first-round challenge");
      }
      String expected = answer(challenge.nonce(), challenge.parameters());
      if (!expected.equals(evidence.fields().get("answer"))) {
        throw new AttestationException("answer-wrong", "the answer does not match the nonce");
      }
      return new AttestedNode(challenge.nodeName(), NAME, Map.of());
    }
  }
}
