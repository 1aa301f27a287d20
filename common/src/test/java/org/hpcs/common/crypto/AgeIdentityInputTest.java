package org.hpcs.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identity files that users mix up or that are not files at all. */
class AgeIdentityInputTest {
  @TempDir Path dir;
  private final AgeIdentity identity = AgeIdentity.generate();

  @Test
  void parse_publicKeyInsteadOfSecret_namesMixUpWithoutSecret() {
    String text = "# public key: x\n" + identity.recipient().value() + "\n";

    assertThatThrownBy(() -> AgeIdentities.parse(text, "key.txt"))
        .isInstanceOf(InvalidAgeKeyException.class)
        .hasMessageContaining("key.txt line 2")
        .hasMessageContaining("public key")
        .hasMessageNotContaining("AGE-SECRET-KEY-1" + identity.secretText().substring(16, 24));
  }

  @Test
  void parseRecipient_secretKeyInstead_messageHasNoKeyText() {
    String secret = identity.secretText();

    for (String text :
        new String[] {secret, secret.toLowerCase(java.util.Locale.ROOT), " " + secret}) {
      assertThatThrownBy(() -> AgeRecipient.parse(text))
          .isInstanceOf(InvalidAgeKeyException.class)
          .hasMessageContaining("secret key")
          .hasMessageNotContaining(secret.substring(16, 30))
          .hasMessageNotContaining(secret.substring(16, 30).toLowerCase(java.util.Locale.ROOT));
    }
  }

  @Test
  void read_characterDevice_rejectedWithoutReadingForever() {
    assertThatThrownBy(() -> AgeIdentities.read(Path.of("/dev/zero")))
        .isInstanceOf(InvalidAgeKeyException.class)
        .hasMessageContaining("/dev/zero");
  }

  @Test
  void read_fileLargerThanLimit_rejectedNamingSize() throws Exception {
    Path file = dir.resolve("big.txt");
    Files.writeString(file, identity.toIdentityFileText(Instant.now()) + "#".repeat(70_000) + "\n");

    assertThatThrownBy(() -> AgeIdentities.read(file))
        .isInstanceOf(InvalidAgeKeyException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("65536");
  }

  @Test
  void read_severalIdentitiesWithCrlf_allParsed() throws Exception {
    AgeIdentity second = AgeIdentity.generate();
    Path file = dir.resolve("keys.txt");
    Files.writeString(
        file,
        (identity.toIdentityFileText(Instant.now()) + second.toIdentityFileText(Instant.now()))
            .replace("\n", "\r\n"));

    assertThat(AgeIdentities.read(file))
        .extracting(AgeIdentity::recipient)
        .containsExactly(identity.recipient(), second.recipient());
  }
}
