package org.hpcs.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChallengeTest {
  private static final byte[] NONCE = new byte[16];

  @Test
  void constructor_twoArguments_hasNoIssueTimeOrParameters() {
    Challenge challenge = new Challenge(NONCE, "n1");

    assertThat(challenge.issuedAt()).isEmpty();
    assertThat(challenge.parameters()).isEmpty();
  }

  @Test
  void constructor_fullForm_keepsIssueTimeAndParameters() {
    Instant issued = Instant.parse("2025-01-02T03:04:05Z");

    Challenge challenge = new Challenge(NONCE, "n1", issued, Map.of("blob", "AAAA"));

    assertThat(challenge.issuedAt()).contains(issued);
    assertThat(challenge.parameters()).containsEntry("blob", "AAAA");
  }

  @Test
  void equals_differentParameters_notEqual() {
    Instant issued = Instant.parse("2025-01-02T03:04:05Z");

    Challenge first = new Challenge(NONCE, "n1", issued, Map.of("blob", "AAAA"));
    Challenge second = new Challenge(NONCE, "n1", issued, Map.of("blob", "BBBB"));

    assertThat(first).isNotEqualTo(second);
    assertThat(first).isEqualTo(new Challenge(NONCE, "n1", issued, Map.of("blob", "AAAA")));
  }

  @Test
  void toString_withParameters_showsOnlyKeys() {
    Challenge challenge =
        new Challenge(NONCE, "n1", Instant.EPOCH, Map.of("credentialBlob", "c2VjcmV0"));

    assertThat(challenge.toString()).contains("credentialBlob").doesNotContain("c2VjcmV0");
  }

  @Test
  void constructor_shortNonce_throws() {
    assertThatThrownBy(() -> new Challenge(new byte[8], "n1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("8 bytes");
  }
}
