package org.hpcs.server.service;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestedNode;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.EvidenceVerifier;
import org.hpcs.attest.MultiRoundVerifier;
import org.hpcs.attest.jointoken.JoinTokens;
import org.hpcs.common.api.ChallengeRequest;
import org.hpcs.common.api.ChallengeResponse;
import org.hpcs.common.api.EnrolRequest;
import org.hpcs.common.api.EnrolResponse;
import org.hpcs.common.api.JoinTokenRequest;
import org.hpcs.common.api.JoinTokenResponse;
import org.hpcs.server.http.ApiException;
import org.hpcs.server.http.Caller;
import org.hpcs.server.spire.SpireAdmin;
import org.hpcs.server.spire.SpireCli;
import org.hpcs.server.spire.SpireException;
import org.hpcs.server.spire.SpireJoinToken;
import org.hpcs.server.store.AuditRecord;
import org.hpcs.server.store.ChallengeRecord;
import org.hpcs.server.store.ChallengeStore;
import org.hpcs.server.store.JoinTokenRepository;
import org.hpcs.server.store.NodeRecord;
import org.hpcs.server.store.NodeStore;

/** Node enrolment: challenges, attestation, SPIRE registration, join tokens and revocation. */
public final class EnrolmentService {
  private static final int NONCE_BYTES = 32;

  /**
   * The maximum number of evidence rounds per attestation. The attestors in this project need at
   * most two; the bound stops a verifier from keeping a node in an endless exchange.
   */
  static final int MAX_ROUNDS = 3;

  /** Enrolment settings. */
  public record Settings(
      String trustDomain,
      Duration challengeTtl,
      Duration spireTokenTtl,
      Duration maxJoinTokenTtl) {}

  private final Settings settings;
  private final Verifiers verifiers;
  private final ChallengeStore challenges;
  private final JoinTokenRepository joinTokens;
  private final NodeStore nodes;
  private final SpireAdmin spire;
  private final Auditor auditor;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** Creates the service. */
  public EnrolmentService(
      Settings settings,
      Verifiers verifiers,
      ChallengeStore challenges,
      JoinTokenRepository joinTokens,
      NodeStore nodes,
      SpireAdmin spire,
      Auditor auditor,
      Clock clock) {
    this.settings = settings;
    this.verifiers = verifiers;
    this.challenges = challenges;
    this.joinTokens = joinTokens;
    this.nodes = nodes;
    this.spire = spire;
    this.auditor = auditor;
    this.clock = clock;
  }

  /** Issues a single-use challenge. */
  public ChallengeResponse challenge(ChallengeRequest request) throws ApiException {
    String node = Checks.require("node", request.node(), Checks.NODE);
    String attestor = Checks.require("attestor", request.attestor(), Checks.PARTITION);
    if (verifiers.get(attestor).isEmpty()) {
      throw ApiException.badRequest(
          "unknown-attestor",
          "attestor '"
              + attestor
              + "' is not enabled on this server; enabled: "
              + verifiers.names());
    }
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    Instant now = clock.instant();
    return store(new Challenge(nonce, node, now, Map.of()), attestor, 1, now);
  }

  /** Stores a challenge under a fresh id and returns it as the node receives it. */
  private ChallengeResponse store(Challenge challenge, String attestor, int round, Instant now) {
    Instant expiresAt = now.plus(settings.challengeTtl());
    String id = UUID.randomUUID().toString();
    challenges.insert(
        new ChallengeRecord(
            id,
            challenge.nodeName(),
            attestor,
            challenge.nonce(),
            challenge.issuedAt().orElse(now),
            challenge.parameters(),
            round,
            expiresAt),
        now);
    return new ChallengeResponse(
        id,
        Base64.getEncoder().encodeToString(challenge.nonce()),
        expiresAt,
        challenge.parameters());
  }

  /**
   * Verifies the evidence and enrols the node in SPIRE. When the attestor's verifier is a {@link
   * MultiRoundVerifier} that derives a follow-up challenge from the evidence, stores that challenge
   * under a new id and returns it instead, so the node responds to it in another call.
   */
  public EnrolResponse enrol(EnrolRequest request) throws ApiException {
    String node = Checks.require("node", request.node(), Checks.NODE);
    String challengeId = Checks.require("challengeId", request.challengeId(), Checks.JOB);
    if (request.evidence() == null || request.evidence().fields() == null) {
      throw ApiException.badRequest("missing-field", "field 'evidence' with 'fields' is required");
    }
    AuditRecord context = AuditRecord.allowed("node:" + node, "node.enrol", "").node(node);
    Instant now = clock.instant();

    // The challenge is spent before anything else, so a failed attempt cannot be retried with it.
    ChallengeRecord challenge =
        challenges
            .take(challengeId, now)
            .orElseThrow(() -> auditor.deny(challengeNotUsable(challengeId), context));
    checkChallenge(challenge, node, request.evidence().attestor(), now, context);
    Optional<NodeRecord> known = nodes.find(node);
    if (known.isPresent() && known.get().revoked()) {
      throw auditor.deny(
          ApiException.forbidden(
              "node-revoked", "node " + node + " is revoked: an admin must reinstate it first"),
          context);
    }
    EvidenceVerifier verifier = verifier(challenge, context);
    Evidence evidence = new Evidence(request.evidence().attestor(), request.evidence().fields());
    Optional<ChallengeResponse> next = nextRound(verifier, challenge, evidence, context, now);
    if (next.isPresent()) {
      return EnrolResponse.followUp(next.get(), settings.trustDomain());
    }
    AttestedNode attested = verify(verifier, challenge, evidence, context);

    SpireJoinToken token = registerInSpire(node, context);
    String spiffeId = SpireCli.nodeId(settings.trustDomain(), node);
    if (!nodes.recordEnrolment(node, spiffeId, attested.attestor(), now)) {
      throw auditor.deny(
          ApiException.forbidden("node-revoked", "node " + node + " was revoked meanwhile"),
          context);
    }
    auditor.allowed(
        new AuditRecord(
            context.actor(),
            "node.enrol",
            "allowed",
            null,
            null,
            null,
            node,
            "node " + node + " enrolled with attestor " + attested.attestor() + " as " + spiffeId));
    return EnrolResponse.enrolled(
        spiffeId, token.aliasSpiffeId(), token.value(), token.expiresAt(), settings.trustDomain());
  }

  private void checkChallenge(
      ChallengeRecord challenge, String node, String attestor, Instant now, AuditRecord context)
      throws ApiException {
    if (!challenge.node().equals(node)) {
      throw auditor.deny(
          ApiException.forbidden(
              "challenge-node-mismatch",
              "challenge was issued to node " + challenge.node() + ", not " + node),
          context);
    }
    if (!now.isBefore(challenge.expiresAt())) {
      throw auditor.deny(
          ApiException.forbidden(
              "challenge-expired",
              "challenge expired at "
                  + challenge.expiresAt()
                  + ": request a new one and answer it at once"),
          context);
    }
    if (!challenge.attestor().equals(attestor)) {
      throw auditor.deny(
          ApiException.forbidden(
              "attestor-mismatch",
              "evidence comes from attestor '"
                  + attestor
                  + "' but the challenge was for '"
                  + challenge.attestor()
                  + "'"),
          context);
    }
  }

  private ApiException challengeNotUsable(String challengeId) {
    if (challenges.wasIssued(challengeId)) {
      return ApiException.forbidden(
          "challenge-replayed",
          "challenge "
              + challengeId
              + " was already answered; each nonce is accepted once: request a new challenge");
    }
    return ApiException.forbidden(
        "challenge-invalid", "challenge " + challengeId + " is unknown: request a new one");
  }

  private EvidenceVerifier verifier(ChallengeRecord challenge, AuditRecord context)
      throws ApiException {
    Optional<EvidenceVerifier> verifier = verifiers.get(challenge.attestor());
    if (verifier.isEmpty()) {
      throw auditor.deny(
          ApiException.badRequest(
              "unknown-attestor", "attestor '" + challenge.attestor() + "' is disabled"),
          context);
    }
    return verifier.get();
  }

  /**
   * Runs one round of a multi-round verifier: returns the stored follow-up challenge, or empty when
   * the evidence completes the exchange and {@link EvidenceVerifier#verify} decides.
   */
  private Optional<ChallengeResponse> nextRound(
      EvidenceVerifier verifier,
      ChallengeRecord challenge,
      Evidence evidence,
      AuditRecord context,
      Instant now)
      throws ApiException {
    if (!(verifier instanceof MultiRoundVerifier multiRound)) {
      return Optional.empty();
    }
    Optional<Challenge> next;
    try {
      next = multiRound.followUp(asChallenge(challenge), evidence);
    } catch (AttestationException e) {
      throw auditor.deny(ApiException.forbidden(e.reason(), e.getMessage()), context);
    }
    if (next.isEmpty()) {
      return Optional.empty();
    }
    if (challenge.round() >= MAX_ROUNDS) {
      throw auditor.deny(
          ApiException.forbidden(
              "too-many-rounds",
              "attestor "
                  + challenge.attestor()
                  + " asked for round "
                  + (challenge.round() + 1)
                  + " but the server allows "
                  + MAX_ROUNDS
                  + ": start a new attestation"),
          context);
    }
    if (!next.get().nodeName().equals(challenge.node())) {
      throw auditor.deny(
          ApiException.forbidden(
              "node-name-mismatch",
              "follow-up challenge names node "
                  + next.get().nodeName()
                  + ", not "
                  + challenge.node()),
          context);
    }
    ChallengeResponse stored = store(next.get(), challenge.attestor(), challenge.round() + 1, now);
    auditor.allowed(
        new AuditRecord(
            context.actor(),
            "node.enrol",
            "allowed",
            null,
            null,
            null,
            challenge.node(),
            "node "
                + challenge.node()
                + " passed round "
                + challenge.round()
                + " of attestor "
                + challenge.attestor()
                + "; follow-up challenge "
                + stored.challengeId()
                + " issued"));
    return Optional.of(stored);
  }

  private static Challenge asChallenge(ChallengeRecord challenge) {
    if (challenge.issuedAt() == null) {
      // Issued before the server recorded issue times; verifiers that bound nonce age reject it.
      return new Challenge(challenge.nonce(), challenge.node());
    }
    return new Challenge(
        challenge.nonce(), challenge.node(), challenge.issuedAt(), challenge.parameters());
  }

  private AttestedNode verify(
      EvidenceVerifier verifier, ChallengeRecord challenge, Evidence evidence, AuditRecord context)
      throws ApiException {
    try {
      AttestedNode attested = verifier.verify(asChallenge(challenge), evidence);
      if (!attested.nodeName().equals(challenge.node())) {
        throw new AttestationException(
            "node-name-mismatch",
            "evidence identifies node " + attested.nodeName() + ", not " + challenge.node());
      }
      return attested;
    } catch (AttestationException e) {
      throw auditor.deny(ApiException.forbidden(e.reason(), e.getMessage()), context);
    }
  }

  private SpireJoinToken registerInSpire(String node, AuditRecord context) throws ApiException {
    try {
      SpireJoinToken token = spire.createJoinToken(node, settings.spireTokenTtl());
      spire.ensureNodeEntry(node);
      return token;
    } catch (SpireException e) {
      throw auditor.deny(
          ApiException.unavailable(
              "spire-unavailable", "SPIRE registration failed: " + e.getMessage()),
          context);
    }
  }

  /** Issues a new SPIRE join token to an enrolled node that still holds a valid SVID. */
  public EnrolResponse reenrol(Caller.Node caller) throws ApiException {
    AuditRecord context =
        AuditRecord.allowed(caller.auditName(), "node.reenrol", "").node(caller.node());
    SpireJoinToken token = registerInSpire(caller.node(), context);
    auditor.allowed(
        new AuditRecord(
            caller.auditName(),
            "node.reenrol",
            "allowed",
            null,
            null,
            null,
            caller.node(),
            "node " + caller.node() + " re-enrolled with its valid SVID"));
    return EnrolResponse.enrolled(
        caller.spiffeId(),
        token.aliasSpiffeId(),
        token.value(),
        token.expiresAt(),
        settings.trustDomain());
  }

  /** Creates a single-use HPCS join token for a node (admin). */
  public JoinTokenResponse createJoinToken(Caller.User admin, JoinTokenRequest request)
      throws ApiException {
    String node = Checks.require("node", request.node(), Checks.NODE);
    long ttl = request.ttlSeconds();
    if (ttl < 1 || ttl > settings.maxJoinTokenTtl().toSeconds()) {
      throw ApiException.badRequest(
          "invalid-field",
          "field 'ttlSeconds' is "
              + ttl
              + "; allowed 1.."
              + settings.maxJoinTokenTtl().toSeconds());
    }
    String token = JoinTokens.generate();
    Instant now = clock.instant();
    Instant expiresAt = now.plusSeconds(ttl);
    joinTokens.insert(JoinTokens.sha256Hex(token), node, admin.username(), now, expiresAt);
    auditor.allowed(
        new AuditRecord(
            admin.auditName(),
            "jointoken.create",
            "allowed",
            null,
            null,
            null,
            node,
            "join token for node " + node + " valid until " + expiresAt));
    return new JoinTokenResponse(node, token, expiresAt);
  }

  /** Revokes a node: denies its calls at once, then evicts its SPIRE agents (admin). */
  public NodeRecord revoke(Caller.User admin, String nodeName) throws ApiException {
    String node = Checks.require("node", nodeName, Checks.NODE);
    Instant now = clock.instant();
    nodes.revoke(node, SpireCli.nodeId(settings.trustDomain(), node), now);
    int evicted;
    try {
      evicted = spire.revokeNode(node);
    } catch (SpireException e) {
      auditor.allowed(
          new AuditRecord(
              admin.auditName(),
              "node.revoke",
              "allowed",
              "spire-cleanup-failed",
              null,
              null,
              node,
              "node " + node + " revoked; SPIRE cleanup failed: " + e.getMessage()));
      throw ApiException.unavailable(
          "spire-unavailable",
          "node "
              + node
              + " is revoked, but SPIRE cleanup failed ("
              + e.getMessage()
              + "): repeat the request");
    }
    auditor.allowed(
        new AuditRecord(
            admin.auditName(),
            "node.revoke",
            "allowed",
            null,
            null,
            null,
            node,
            "node " + node + " revoked; " + evicted + " SPIRE agents evicted"));
    return nodes.find(node).orElseThrow();
  }

  /** Lifts a node's revocation so it can enrol again with a new join token (admin). */
  public NodeRecord reinstate(Caller.User admin, String nodeName) throws ApiException {
    String node = Checks.require("node", nodeName, Checks.NODE);
    if (!nodes.reinstate(node)) {
      throw ApiException.conflict("node-not-revoked", "node " + node + " is not revoked");
    }
    auditor.allowed(
        new AuditRecord(
            admin.auditName(),
            "node.reinstate",
            "allowed",
            null,
            null,
            null,
            node,
            "node " + node + " may enrol again"));
    return nodes.find(node).orElseThrow();
  }
}
