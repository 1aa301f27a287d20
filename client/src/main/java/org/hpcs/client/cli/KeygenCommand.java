package org.hpcs.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.hpcs.client.HpcsException;
import org.hpcs.client.keys.OwnerKeys;
import org.hpcs.common.bundle.Ed25519Keys;
import org.hpcs.common.crypto.AgeIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hpcs keygen}: creates the owner's output identity and manifest signing key. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {
      "Create the owner's keys: an age identity that job outputs are encrypted to, and an Ed25519"
          + " key that signs bundle manifests.",
      "Private key files are created with mode 0600; existing files are never overwritten."
    })
final class KeygenCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Directory for the key files (default: keys.dir, else ~/.config/hpcs/keys).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    Path directory = dir != null ? dir : common.loadConfig().keysDir();
    OwnerKeys keys = new OwnerKeys(directory);
    List<Path> existing = keys.existing();
    if (!existing.isEmpty()) {
      throw new HpcsException(
          "key files exist already: " + existing,
          "hpcs keygen never overwrites keys; move them away first if you really want new ones");
    }
    createPrivateDirectory(directory);

    AgeIdentity identity = AgeIdentity.generate();
    KeyPair signing = Ed25519Keys.generate();
    try {
      writeKeys(keys, identity, signing);
    } catch (IOException e) {
      // None of the files existed before, so removing them leaves no half-made key set behind.
      for (Path file : List.of(keys.outputIdentity(), keys.signingKey(), keys.signingPublicKey())) {
        Files.deleteIfExists(file);
      }
      throw new HpcsException(
          "failed to write the key files in %s (%s); none was kept".formatted(directory, reason(e)),
          e,
          "free space on its file system or choose another --dir, then run hpcs keygen again");
    }

    var out = spec.commandLine().getOut();
    out.println("output recipient: " + identity.recipient());
    out.println("signing public key: " + Ed25519Keys.toText(signing.getPublic()));
    out.println("keys written to " + directory);
    out.flush();
    return 0;
  }

  private static void writeKeys(OwnerKeys keys, AgeIdentity identity, KeyPair signing)
      throws IOException {
    Files.writeString(
        Files.createFile(keys.outputIdentity(), ownerOnly()),
        identity.toIdentityFileText(Instant.now()),
        StandardCharsets.US_ASCII);
    Ed25519Keys.writePrivate(keys.signingKey(), signing.getPrivate());
    Ed25519Keys.writePublic(keys.signingPublicKey(), signing.getPublic());
  }

  private static String reason(IOException e) {
    return e instanceof FileSystemException f && f.getReason() != null
        ? f.getReason()
        : String.valueOf(e.getMessage());
  }

  private static void createPrivateDirectory(Path directory) throws IOException, HpcsException {
    if (Files.exists(directory) && !Files.isDirectory(directory)) {
      throw new HpcsException(
          "key directory %s is not a directory".formatted(directory),
          "pass a directory with --dir or keys.dir; hpcs keygen creates it when missing");
    }
    if (!Files.isDirectory(directory)) {
      Files.createDirectories(
          directory,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  private static java.nio.file.attribute.FileAttribute<?> ownerOnly() {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  }
}
