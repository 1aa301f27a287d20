package org.hpcs.attest.jointoken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.NodeAttestor;

/** Node side of the join-token attestor: reads the token from a 0600 file at each attempt. */
final class JoinTokenAttestor implements NodeAttestor {
  private static final Set<PosixFilePermission> GROUP_OR_OTHER =
      Set.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private final Path tokenFile;

  JoinTokenAttestor(Path tokenFile) {
    this.tokenFile = tokenFile;
  }

  @Override
  public String name() {
    return JoinTokenProvider.NAME;
  }

  @Override
  public Evidence attest(Challenge challenge) throws AttestationException {
    String token = readToken();
    byte[] proof = JoinTokens.proof(token, challenge.nonce(), challenge.nodeName());
    return new Evidence(
        JoinTokenProvider.NAME,
        Map.of("token", token, "proof", Base64.getEncoder().encodeToString(proof)));
  }

  private String readToken() throws AttestationException {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(tokenFile);
      if (permissions.stream().anyMatch(GROUP_OR_OTHER::contains)) {
        throw new AttestationException(
            "token-file-insecure",
            "join-token file "
                + tokenFile
                + " is readable or writable by group or others: run"
                + " chmod 600 "
                + tokenFile);
      }
      String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new AttestationException(
            "token-file-empty",
            "join-token file "
                + tokenFile
                + " is empty: write the token an"
                + " admin created into it");
      }
      return token;
    } catch (IOException e) {
      throw new AttestationException(
          "token-file-unreadable", "cannot read join-token file " + tokenFile + ": " + e, e);
    }
  }
}
