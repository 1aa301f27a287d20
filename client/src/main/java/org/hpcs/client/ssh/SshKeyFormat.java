package org.hpcs.client.ssh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hpcs.client.HpcsException;

/**
 * Recognises the format of an SSH private key file before it is used, so that an unusable key fails
 * with the format found and the format required instead of a parser dump.
 *
 * @param container "OpenSSH" or "PEM &lt;type&gt;"
 * @param keyType the key algorithm when known, such as ssh-ed25519
 */
public record SshKeyFormat(String container, String keyType) {
  private static final String REQUIRED =
      "an unencrypted OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----) or an unencrypted"
          + " PEM RSA, EC or PKCS#8 private key";
  private static final Pattern PEM_BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");
  private static final byte[] OPENSSH_MAGIC =
      "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);

  /**
   * Checks that {@code file} holds a private key that the client can use.
   *
   * @throws HpcsException naming the format found and the format required
   */
  public static SshKeyFormat check(Path file) throws HpcsException, IOException {
    String text = Files.readString(file, StandardCharsets.ISO_8859_1);
    Matcher begin = PEM_BEGIN.matcher(text);
    if (!begin.find()) {
      String found =
          text.startsWith("ssh-") || text.startsWith("ecdsa-")
              ? "an OpenSSH public key"
              : "no PEM header";
      throw unusable(file, found);
    }
    String type = begin.group(1);
    return switch (type) {
      case "OPENSSH PRIVATE KEY" -> checkOpenSsh(file, text);
      case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY" ->
          checkLegacyPem(file, text, type);
      case "PRIVATE KEY" -> new SshKeyFormat("PEM PRIVATE KEY", "PKCS#8");
      case "ENCRYPTED PRIVATE KEY" ->
          throw passphrase(file, "PEM ENCRYPTED PRIVATE KEY (passphrase-protected PKCS#8)");
      default -> throw unusable(file, "a PEM \"" + type + "\"");
    };
  }

  private static SshKeyFormat checkLegacyPem(Path file, String text, String type)
      throws HpcsException {
    if (text.contains("Proc-Type: 4,ENCRYPTED")) {
      throw passphrase(file, "PEM " + type + " with a passphrase");
    }
    return new SshKeyFormat(
        "PEM " + type, type.substring(0, type.indexOf(' ')).toLowerCase(java.util.Locale.ROOT));
  }

  private static SshKeyFormat checkOpenSsh(Path file, String text) throws HpcsException {
    ByteBuffer body;
    try {
      String base64 =
          text.substring(text.indexOf("-----", 5) + 5, text.indexOf("-----END"))
              .replaceAll("\\s", "");
      body = ByteBuffer.wrap(Base64.getDecoder().decode(base64));
      byte[] magic = new byte[OPENSSH_MAGIC.length];
      body.get(magic);
      if (!java.util.Arrays.equals(magic, OPENSSH_MAGIC)) {
        throw unusable(file, "an OpenSSH private key with an unknown version");
      }
      String cipher = readString(body);
      readString(body);
      readString(body);
      body.getInt();
      ByteBuffer publicKey = ByteBuffer.wrap(readBytes(body));
      String keyType = readString(publicKey);
      if (!cipher.equals("none")) {
        throw passphrase(
            file, "OpenSSH " + keyType + " key protected by a passphrase (cipher " + cipher + ")");
      }
      if (keyType.startsWith("sk-")) {
        throw unusable(file, "an OpenSSH hardware security key (" + keyType + ")");
      }
      return new SshKeyFormat("OpenSSH", keyType);
    } catch (RuntimeException e) {
      throw unusable(file, "a damaged OpenSSH private key");
    }
  }

  private static String readString(ByteBuffer buffer) {
    return new String(readBytes(buffer), StandardCharsets.US_ASCII);
  }

  private static byte[] readBytes(ByteBuffer buffer) {
    int length = buffer.getInt();
    if (length < 0 || length > buffer.remaining()) {
      throw new IllegalArgumentException("bad length " + length);
    }
    byte[] bytes = new byte[length];
    buffer.get(bytes);
    return bytes;
  }

  private static HpcsException passphrase(Path file, String found) {
    return new HpcsException(
        "SSH key %s is %s; hpcs needs %s".formatted(file, found, REQUIRED),
        "make an unencrypted copy only you can read: cp KEY COPY && ssh-keygen -p -N '' -f COPY,"
            + " then set ssh.key to COPY");
  }

  private static HpcsException unusable(Path file, String found) {
    return new HpcsException(
        "SSH key %s contains %s; hpcs needs %s".formatted(file, found, REQUIRED),
        "point ssh.key at the private key file (not the .pub file)");
  }
}
