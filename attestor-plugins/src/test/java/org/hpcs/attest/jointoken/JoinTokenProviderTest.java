package org.hpcs.attest.jointoken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestedNode;
import org.hpcs.attest.AttestorProvider;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.EvidenceVerifier;
import org.hpcs.attest.NodeAttestor;
import org.hpcs.attest.VerifierServices;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinTokenProviderTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;

  private final MemoryStore store = new MemoryStore();
  private EvidenceVerifier verifier;

  @BeforeEach
  void setUp() throws AttestationException {
    JoinTokenProvider provider = new JoinTokenProvider(Clock.fixed(NOW, ZoneOffset.UTC));
    verifier = provider.verifier(Map.of(), services(store));
  }

  @Test
  void serviceLoader_findsJoinTokenProvider() {
    assertThat(ServiceLoader.load(AttestorProvider.class).stream().map(p -> p.get().name()))
        .contains("join-token");
  }

  @Test
  void verify_liveTokenForNode_returnsNodeAndConsumesToken() throws Exception {
    String token = store.add("n1", NOW.plusSeconds(60));
    Challenge challenge = challenge("n1");

    AttestedNode node = verifier.verify(challenge, attest(token, challenge));

    assertThat(node.nodeName()).isEqualTo("n1");
    assertThat(node.attestor()).isEqualTo("join-token");
    assertThat(store.used).containsKey(JoinTokens.sha256Hex(token));
  }

  @Test
  void verify_sameTokenTwice_deniedAsReplayed() throws Exception {
    String token = store.add("n1", NOW.plusSeconds(60));
    Challenge first = challenge("n1");
    verifier.verify(first, attest(token, first));
    Challenge second = challenge("n1");

    AttestationException e =
        assertThrows(
            AttestationException.class, () -> verifier.verify(second, attest(token, second)));

    assertThat(e.reason()).isEqualTo("token-replayed");
    assertThat(e.getMessage()).contains("n1").doesNotContain(token);
  }

  @Test
  void verify_unknownToken_deniedAsUnknown() throws Exception {
    Challenge challenge = challenge("n1");

    AttestationException e =
        assertThrows(
            AttestationException.class,
            () -> verifier.verify(challenge, attest(JoinTokens.generate(), challenge)));

    assertThat(e.reason()).isEqualTo("token-unknown");
  }

  @Test
  void verify_expiredToken_deniedAsExpired() throws Exception {
    String token = store.add("n1", NOW.minusSeconds(1));
    Challenge challenge = challenge("n1");

    AttestationException e =
        assertThrows(
            AttestationException.class, () -> verifier.verify(challenge, attest(token, challenge)));

    assertThat(e.reason()).isEqualTo("token-expired");
  }

  @Test
  void verify_tokenOfOtherNode_deniedAndTokenStaysUnused() throws Exception {
    String token = store.add("n2", NOW.plusSeconds(60));
    Challenge challenge = challenge("n1");

    AttestationException e =
        assertThrows(
            AttestationException.class, () -> verifier.verify(challenge, attest(token, challenge)));

    assertThat(e.reason()).isEqualTo("token-node-mismatch");
    assertThat(store.used).isEmpty();
  }

  @Test
  void verify_proofForOtherNonce_deniedAsProofMismatch() throws Exception {
    String token = store.add("n1", NOW.plusSeconds(60));
    Evidence forOtherChallenge = attest(token, challenge("n1"));

    AttestationException e =
        assertThrows(
            AttestationException.class, () -> verifier.verify(challenge("n1"), forOtherChallenge));

    assertThat(e.reason()).isEqualTo("proof-mismatch");
    assertThat(store.used).isEmpty();
  }

  @Test
  void verify_missingProof_deniedAsMalformed() {
    Evidence evidence = new Evidence("join-token", Map.of("token", "abc"));

    AttestationException e =
        assertThrows(AttestationException.class, () -> verifier.verify(challenge("n1"), evidence));

    assertThat(e.reason()).isEqualTo("evidence-malformed");
    assertThat(e.getMessage()).contains("proof");
  }

  @Test
  void verify_proofNotBase64_deniedAsMalformed() {
    Evidence evidence = new Evidence("join-token", Map.of("token", "abc", "proof", "%%%"));

    AttestationException e =
        assertThrows(AttestationException.class, () -> verifier.verify(challenge("n1"), evidence));

    assertThat(e.reason()).isEqualTo("evidence-malformed");
  }

  @Test
  void verify_evidenceOfOtherAttestor_deniedAsMalformed() {
    Evidence evidence = new Evidence("tpm-devid", Map.of("token", "abc", "proof", "AA=="));

    AttestationException e =
        assertThrows(AttestationException.class, () -> verifier.verify(challenge("n1"), evidence));

    assertThat(e.reason()).isEqualTo("evidence-malformed");
  }

  @Test
  void attest_tokenFileReadableByOthers_rejected() throws Exception {
    Path file = tokenFile("secret-token", "rw-r--r--");
    NodeAttestor attestor =
        new JoinTokenProvider().nodeAttestor(Map.of("tokenFile", file.toString()));

    AttestationException e =
        assertThrows(AttestationException.class, () -> attestor.attest(challenge("n1")));

    assertThat(e.reason()).isEqualTo("token-file-insecure");
    assertThat(e.getMessage()).contains("chmod 600").doesNotContain("secret-token");
  }

  @Test
  void attest_emptyTokenFile_rejected() throws Exception {
    Path file = tokenFile("\n", "rw-------");
    NodeAttestor attestor =
        new JoinTokenProvider().nodeAttestor(Map.of("tokenFile", file.toString()));

    AttestationException e =
        assertThrows(AttestationException.class, () -> attestor.attest(challenge("n1")));

    assertThat(e.reason()).isEqualTo("token-file-empty");
  }

  @Test
  void nodeAttestor_missingTokenFileKey_rejectedNamingKey() {
    AttestationException e =
        assertThrows(
            AttestationException.class, () -> new JoinTokenProvider().nodeAttestor(Map.of()));

    assertThat(e.getMessage()).contains("tokenFile");
  }

  @Test
  void verifier_unknownKeyAndNoStore_rejected() {
    JoinTokenProvider provider = new JoinTokenProvider();

    AttestationException unknownKey =
        assertThrows(
            AttestationException.class,
            () -> provider.verifier(Map.of("ttl", "5"), services(store)));
    AttestationException noStore =
        assertThrows(
            AttestationException.class, () -> provider.verifier(Map.of(), VerifierServices.none()));

    assertThat(unknownKey.getMessage()).contains("ttl");
    assertThat(noStore.getMessage()).contains("JoinTokenStore");
  }

  private Evidence attest(String token, Challenge challenge) throws Exception {
    Path file = tokenFile(token + "\n", "rw-------");
    NodeAttestor attestor =
        new JoinTokenProvider().nodeAttestor(Map.of("tokenFile", file.toString()));
    return attestor.attest(challenge);
  }

  private Path tokenFile(String content, String permissions) throws IOException {
    Path file = Files.createTempFile(dir, "token", ".txt");
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    return file;
  }

  private static Challenge challenge(String node) {
    byte[] nonce = new byte[32];
    new SecureRandom().nextBytes(nonce);
    return new Challenge(nonce, node);
  }

  private static VerifierServices services(JoinTokenStore store) {
    return new VerifierServices() {
      @Override
      public <T> Optional<T> lookup(Class<T> type) {
        return type.isInstance(store) ? Optional.of(type.cast(store)) : Optional.empty();
      }
    };
  }

  /** In-memory store: stands in for the server database, which has its own tests. */
  private static final class MemoryStore implements JoinTokenStore {
    private record Entry(String node, Instant expiresAt) {}

    private final Map<String, Entry> tokens = new HashMap<>();
    final Map<String, Instant> used = new HashMap<>();

    String add(String node, Instant expiresAt) {
      String token = JoinTokens.generate();
      tokens.put(JoinTokens.sha256Hex(token), new Entry(node, expiresAt));
      return token;
    }

    @Override
    public Outcome consume(String hash, String nodeName, Instant now) {
      Entry entry = tokens.get(hash);
      if (entry == null) {
        return Outcome.UNKNOWN;
      }
      if (used.containsKey(hash)) {
        return Outcome.ALREADY_USED;
      }
      if (!now.isBefore(entry.expiresAt())) {
        return Outcome.EXPIRED;
      }
      if (!entry.node().equals(nodeName)) {
        return Outcome.WRONG_NODE;
      }
      used.put(hash, now);
      return Outcome.CONSUMED;
    }
  }
}
