package org.hpcs.attest.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** Reads PEM public key files ({@code -----BEGIN PUBLIC KEY-----}). */
public final class PublicKeyFiles {
  private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
  private static final String END = "-----END PUBLIC KEY-----";

  private PublicKeyFiles() {}

  /** Returns the DER SubjectPublicKeyInfo of the first PEM public key in the file. */
  public static byte[] readSubjectPublicKeyInfo(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IOException(file + " has no PEM block '" + BEGIN + "'");
    }
    String body = text.substring(begin + BEGIN.length(), end).replaceAll("\\s", "");
    try {
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " has invalid base64 in its PEM block", e);
    }
  }

  /** Encodes a DER SubjectPublicKeyInfo as PEM text. */
  public static String toPem(byte[] subjectPublicKeyInfo) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(subjectPublicKeyInfo);
    return BEGIN + "\n" + body + "\n" + END + "\n";
  }
}
