package org.hpcs.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgeIdentitiesTest {
  private final AgeIdentity identity = AgeIdentity.generate();
  private final String secret = identity.secretText();

  @Test
  void parse_crlfCommentsAndTrailingSpace_returnsIdentity() throws Exception {
    String text =
        "# created: 2024-01-01T00:00:00Z\r\n# public key: "
            + identity.recipient()
            + "\r\n\r\n"
            + secret
            + " \t\r\n";

    List<AgeIdentity> parsed = AgeIdentities.parse(text, "vault");

    assertThat(parsed).hasSize(1);
    assertThat(parsed.get(0).recipient()).isEqualTo(identity.recipient());
  }

  @Test
  void parse_byteOrderMark_rejectedWithoutKey() {
    String text = "\uFEFF" + identity.toIdentityFileText(Instant.now());

    assertThatThrownBy(() -> AgeIdentities.parse(text, "id.txt"))
        .isInstanceOf(InvalidAgeKeyException.class)
        .hasMessageContaining("invalid age identity in id.txt")
        .hasMessageContaining("byte order mark")
        .hasMessageNotContaining(secret);
  }

  @Test
  void parse_garbageLine_rejectedWithLineNumberOnly() {
    String text = "# comment\n" + secret + "\nhello world\n";

    assertThatThrownBy(() -> AgeIdentities.parse(text, "id.txt"))
        .isInstanceOf(InvalidAgeKeyException.class)
        .hasMessageContaining("invalid age identity in id.txt line 3")
        .hasMessageNotContaining("hello")
        .hasMessageNotContaining(secret);
  }

  @Test
  void parse_badChecksum_rejectedWithoutKeyOrCause() {
    char last = secret.charAt(secret.length() - 1);
    String damaged = secret.substring(0, secret.length() - 1) + (last == 'Q' ? 'P' : 'Q');

    assertThatThrownBy(() -> AgeIdentities.parse(damaged + "\n", "vault"))
        .isInstanceOf(InvalidAgeKeyException.class)
        .hasMessageContaining("invalid age identity in vault line 1")
        .hasMessageNotContaining(damaged)
        .hasNoCause();
  }

  @Test
  void parse_onlyComments_rejected() {
    assertThatThrownBy(() -> AgeIdentities.parse("# nothing\n\n", "empty.txt"))
        .isInstanceOf(InvalidAgeKeyException.class)
        .hasMessageContaining("no AGE-SECRET-KEY-1 line found");
  }

  @Test
  void toString_generatedIdentity_showsOnlyRecipient() {
    assertThat(identity.toString()).contains(identity.recipient().value()).doesNotContain(secret);
  }

  @Test
  void recipient_generatedIdentity_matchesAgeKeygen(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("id.txt");
    Files.writeString(file, identity.toIdentityFileText(Instant.now()), StandardCharsets.UTF_8);

    String fromCli = TestFiles.run(dir, "age-keygen", "-y", file.toString()).strip();

    assertThat(fromCli).isEqualTo(identity.recipient().value());
  }

  @Test
  void read_ageKeygenFile_returnsItsRecipient(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("key.txt");
    TestFiles.run(dir, "age-keygen", "-o", file.toString());
    String expected = TestFiles.run(dir, "age-keygen", "-y", file.toString()).strip();

    List<AgeIdentity> parsed = AgeIdentities.read(file);

    assertThat(parsed.get(0).recipient().value()).isEqualTo(expected);
  }

  @Test
  void read_directory_rejectedWithPath(@TempDir Path dir) {
    assertThatThrownBy(() -> AgeIdentities.read(dir))
        .isInstanceOf(InvalidAgeKeyException.class)
        .hasMessageContaining("invalid age identity in " + dir + ": it is a directory");
  }

  @Test
  void parseRecipient_garbage_rejected() {
    assertThatThrownBy(() -> AgeRecipient.parse("age1notreally"))
        .isInstanceOf(InvalidAgeKeyException.class)
        .hasMessageContaining("invalid age recipient \"age1notreally\"");
  }
}
