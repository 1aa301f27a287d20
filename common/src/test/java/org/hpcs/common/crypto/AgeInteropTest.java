package org.hpcs.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Interoperability with the age command-line tool on a 256 MiB file and on armored input. */
class AgeInteropTest {
  private static final long LARGE = 256L << 20;

  @TempDir Path dir;
  private final AgeIdentity identity = AgeIdentity.generate();
  private Path keyFile;

  @BeforeEach
  void writeKey() throws Exception {
    keyFile = dir.resolve("key.txt");
    Files.writeString(keyFile, identity.toIdentityFileText(Instant.now()));
  }

  @Test
  void decrypt_ageCliLargeFile_sameDigest() throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("large.bin"), LARGE, 21);
    Path encrypted = dir.resolve("large.age");
    TestFiles.run(
        dir,
        "age",
        "-r",
        identity.recipient().value(),
        "-o",
        encrypted.toString(),
        plain.toString());
    Path decrypted = dir.resolve("large.out");

    AgeFiles.decrypt(encrypted, decrypted, List.of(identity), false, n -> {});

    assertThat(Sha256.ofFile(decrypted)).isEqualTo(Sha256.ofFile(plain));
  }

  @Test
  void encrypt_largeFile_ageCliDecryptsSameDigest() throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("large.bin"), LARGE, 22);
    Path encrypted = dir.resolve("large.age");
    AgeFiles.encrypt(plain, encrypted, List.of(identity.recipient()), false, false, n -> {});
    Path decrypted = dir.resolve("large.out");

    TestFiles.run(
        dir,
        "age",
        "-d",
        "-i",
        keyFile.toString(),
        "-o",
        decrypted.toString(),
        encrypted.toString());

    assertThat(Sha256.ofFile(decrypted)).isEqualTo(Sha256.ofFile(plain));
  }

  @Test
  void decrypt_ageCliArmored_sameDigest() throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("small.bin"), 3 * 65536 + 17, 23);
    Path encrypted = dir.resolve("small.age");
    TestFiles.run(
        dir,
        "age",
        "-a",
        "-r",
        identity.recipient().value(),
        "-o",
        encrypted.toString(),
        plain.toString());
    Path decrypted = dir.resolve("small.out");

    AgeFiles.decrypt(encrypted, decrypted, List.of(identity), false, n -> {});

    assertThat(Files.readString(encrypted)).startsWith("-----BEGIN AGE ENCRYPTED FILE-----");
    assertThat(Sha256.ofFile(decrypted)).isEqualTo(Sha256.ofFile(plain));
  }

  @Test
  void encrypt_armored_ageCliDecryptsSameDigest() throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("small.bin"), 2 * 65536, 24);
    Path encrypted = dir.resolve("small.age");
    AgeFiles.encrypt(plain, encrypted, List.of(identity.recipient()), true, false, n -> {});
    Path decrypted = dir.resolve("small.out");

    TestFiles.run(
        dir,
        "age",
        "-d",
        "-i",
        keyFile.toString(),
        "-o",
        decrypted.toString(),
        encrypted.toString());

    assertThat(Files.readString(encrypted)).startsWith("-----BEGIN AGE ENCRYPTED FILE-----");
    assertThat(Sha256.ofFile(decrypted)).isEqualTo(Sha256.ofFile(plain));
  }

  @Test
  void decrypt_ageKeygenIdentityWithCrlf_works() throws Exception {
    Path cliKey = dir.resolve("cli-key.txt");
    TestFiles.run(dir, "age-keygen", "-o", cliKey.toString());
    String recipient = TestFiles.run(dir, "age-keygen", "-y", cliKey.toString()).strip();
    Path crlfKey = dir.resolve("crlf-key.txt");
    Files.writeString(crlfKey, Files.readString(cliKey).replace("\n", "  \r\n"));
    Path plain = TestFiles.randomFile(dir.resolve("p.bin"), 1000, 25);
    Path encrypted = dir.resolve("p.age");
    TestFiles.run(dir, "age", "-r", recipient, "-o", encrypted.toString(), plain.toString());
    Path decrypted = dir.resolve("p.out");

    AgeFiles.decrypt(encrypted, decrypted, AgeIdentities.read(crlfKey), false, n -> {});

    assertThat(Sha256.ofFile(decrypted)).isEqualTo(Sha256.ofFile(plain));
  }
}
