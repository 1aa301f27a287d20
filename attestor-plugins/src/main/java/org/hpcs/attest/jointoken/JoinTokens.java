package org.hpcs.attest.jointoken;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Generation, hashing and proof computation for join tokens. */
public final class JoinTokens {
  /** Token entropy in bytes. */
  public static final int TOKEN_BYTES = 32;

  /** Longest token text accepted, in characters. */
  public static final int MAX_TOKEN_CHARS = 128;

  private static final SecureRandom RANDOM = new SecureRandom();

  private JoinTokens() {}

  /** Generates a fresh token: 32 random bytes, base64url without padding. */
  public static String generate() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Returns the lower-case hex SHA-256 of the token text, the only form the server stores. */
  public static String sha256Hex(String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /**
   * Computes the proof that binds a token to one challenge: HMAC-SHA256 keyed with the token over
   * the nonce followed by the UTF-8 node name.
   */
  public static byte[] proof(String token, byte[] nonce, String nodeName) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(nonce);
      return mac.doFinal(nodeName.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
