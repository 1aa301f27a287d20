package org.hpcs.attest.tpmdevid;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestedNode;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.MultiRoundVerifier;
import org.hpcs.attest.NonceStore;
import org.hpcs.attest.internal.EvidenceFields;

/**
 * Server side of tpm-devid, in two rounds. Round one checks the node's claim (DevID chain, DevID
 * key, endorsement key) and returns a follow-up challenge: a fresh nonce and a credential encrypted
 * to the EK for the DevID key's name. Round two checks the DevID signature over the nonce and the
 * activated credential, which only the TPM holding both keys can return.
 */
final class TpmDevIdVerifier implements MultiRoundVerifier {
  private static final int NONCE_BYTES = 32;
  private static final int CREDENTIAL_BYTES = 32;

  private final TpmDevIdVerifierConfig config;
  private final ClaimChecker claims;
  private final NonceStore nonces;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final CredentialMaker credentials = new CredentialMaker(random);

  TpmDevIdVerifier(TpmDevIdVerifierConfig config, NonceStore nonces, Clock clock) {
    this.config = config;
    this.claims = new ClaimChecker(config);
    this.nonces = nonces;
    this.clock = clock;
  }

  @Override
  public String name() {
    return TpmDevIdProvider.NAME;
  }

  @Override
  public Optional<Challenge> followUp(Challenge challenge, Evidence evidence)
      throws AttestationException {
    if (challenge.parameters().containsKey(EvidenceNames.CREDENTIAL_BLOB)) {
      return Optional.empty();
    }
    DevIdClaim claim = DevIdClaim.decode(evidence);
    claims.check(claim, challenge.nodeName());

    // Encrypt a fresh credential to the EK, for the DevID key's name only.
    byte[] credential = randomBytes(CREDENTIAL_BYTES);
    CredentialMaker.MadeCredential made =
        credentials.make(claim.ekPublic(), claim.devIdPublic().name(), credential);
    Base64.Encoder base64 = Base64.getEncoder();
    Map<String, String> parameters =
        Map.of(
            EvidenceNames.CREDENTIAL_BLOB, base64.encodeToString(made.credentialBlob()),
            EvidenceNames.ENCRYPTED_SECRET, base64.encodeToString(made.encryptedSecret()),
            EvidenceNames.CREDENTIAL_SHA256, DevIdClaim.sha256Hex(credential),
            EvidenceNames.DEVID_NAME, claim.devIdNameHex(),
            EvidenceNames.EK_SHA256, claim.ekSha256());
    return Optional.of(
        new Challenge(randomBytes(NONCE_BYTES), challenge.nodeName(), clock.instant(), parameters));
  }

  @Override
  public AttestedNode verify(Challenge challenge, Evidence evidence) throws AttestationException {
    Map<String, String> parameters = challenge.parameters();
    boolean followUp =
        parameters.containsKey(EvidenceNames.CREDENTIAL_BLOB)
            && parameters.containsKey(EvidenceNames.CREDENTIAL_SHA256)
            && parameters.containsKey(EvidenceNames.DEVID_NAME)
            && parameters.containsKey(EvidenceNames.EK_SHA256);
    if (!followUp) {
      throw new AttestationException(
          TpmDevIdReasons.ROUND_MISSING,
          "tpm-devid needs two rounds: the server must call followUp() on the node's first"
              + " evidence and send the follow-up challenge to node "
              + challenge.nodeName());
    }
    Instant expiresAt = checkFresh(challenge);

    // The claim must still pass, and name the same DevID key and EK as in round one.
    DevIdClaim claim = DevIdClaim.decode(evidence);
    claims.check(claim, challenge.nodeName());
    if (!claim.devIdNameHex().equals(parameters.get(EvidenceNames.DEVID_NAME))
        || !claim.ekSha256().equals(parameters.get(EvidenceNames.EK_SHA256))) {
      throw new AttestationException(
          TpmDevIdReasons.CLAIM_CHANGED,
          "node "
              + challenge.nodeName()
              + " answered the follow-up with another DevID key or EK than in its first round");
    }

    // Each follow-up nonce is accepted once.
    if (!nonces.markUsed(name(), challenge.nonce(), expiresAt)) {
      throw new AttestationException(
          TpmDevIdReasons.NONCE_REPLAYED,
          "nonce for node " + challenge.nodeName() + " was already used; start a new attestation");
    }

    // The DevID key signed the nonce, and the TPM holding the EK activated the credential.
    EvidenceFields fields = new EvidenceFields(evidence);
    checkSignature(claim, challenge, fields.bytes(EvidenceNames.SIGNATURE));
    checkCredential(challenge, fields.bytes(EvidenceNames.ACTIVATED_CREDENTIAL));
    return new AttestedNode(challenge.nodeName(), name(), selectors(claim));
  }

  private Instant checkFresh(Challenge challenge) throws AttestationException {
    Optional<Instant> issuedAt = challenge.issuedAt();
    if (issuedAt.isEmpty()) {
      throw new AttestationException(
          TpmDevIdReasons.ISSUE_TIME_MISSING,
          "follow-up challenge for node "
              + challenge.nodeName()
              + " lost its issue time; the server must store the challenge followUp() returned"
              + " unchanged");
    }
    Instant expiresAt = issuedAt.get().plus(config.nonceTtl());
    if (!clock.instant().isBefore(expiresAt)) {
      throw new AttestationException(
          TpmDevIdReasons.NONCE_EXPIRED,
          "follow-up challenge for node "
              + challenge.nodeName()
              + " was issued at "
              + issuedAt.get()
              + " and expired after "
              + config.nonceTtl().toSeconds()
              + " s; start a new attestation");
    }
    return expiresAt;
  }

  private static void checkSignature(DevIdClaim claim, Challenge challenge, byte[] signature)
      throws AttestationException {
    boolean valid;
    try {
      Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
      verifier.initVerify(claim.devIdCertificate().getPublicKey());
      verifier.update(ProofMessage.of(challenge.nodeName(), challenge.nonce()));
      valid = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      valid = false;
    }
    if (!valid) {
      throw new AttestationException(
          TpmDevIdReasons.SIGNATURE_INVALID,
          "nonce signature of node "
              + challenge.nodeName()
              + " does not verify with DevID certificate "
              + claim.devIdCertificate().getSubjectX500Principal()
              + "; the signing key is not the certified DevID key");
    }
  }

  private static void checkCredential(Challenge challenge, byte[] activated)
      throws AttestationException {
    byte[] expected =
        HexFormat.of().parseHex(challenge.parameters().get(EvidenceNames.CREDENTIAL_SHA256));
    byte[] actual = HexFormat.of().parseHex(DevIdClaim.sha256Hex(activated));
    if (!MessageDigest.isEqual(expected, actual)) {
      throw new AttestationException(
          TpmDevIdReasons.CREDENTIAL_ACTIVATION_FAILED,
          "node "
              + challenge.nodeName()
              + " returned a wrong credential, so its DevID key and endorsement key are not in"
              + " the same TPM");
    }
  }

  private static Map<String, String> selectors(DevIdClaim claim) {
    return Map.of(
        "ek-sha256", claim.ekSha256(),
        "devid-subject", claim.devIdCertificate().getSubjectX500Principal().getName(),
        "devid-serial", claim.devIdCertificate().getSerialNumber().toString(16),
        "devid-issuer", claim.devIdCertificate().getIssuerX500Principal().getName());
  }

  private byte[] randomBytes(int count) {
    byte[] out = new byte[count];
    random.nextBytes(out);
    return out;
  }
}
