package org.hpcs.client.cli;

import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.hpcs.common.crypto.AgeDecryptor;
import org.hpcs.common.crypto.AgeIdentities;
import org.hpcs.common.crypto.AgeIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hpcs decrypt}: age decryption of binary or armored input, detected automatically. */
@Command(
    name = "decrypt",
    mixinStandardHelpOptions = true,
    description = {
      "Decrypt an age file (binary or ASCII-armored, detected automatically).",
      "Corrupted, truncated, empty or non-age input and a wrong identity each fail with their own"
          + " message, and no output file is left behind."
    })
final class DecryptCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = {"-i", "--identity"},
      paramLabel = "IDENTITY",
      required = true,
      description =
          "Identity file with AGE-SECRET-KEY-1 lines (as age-keygen writes; comments, CRLF line"
              + " ends allowed). Repeatable.")
  List<Path> identityFiles;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "OUTPUT",
      description =
          "Output file (default: standard output). A regular file appears only after the whole"
              + " input decrypted and authenticated, and replaces an existing one.")
  Path output;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "INPUT",
      description = "File to decrypt (default or '-': standard input).")
  Path input;

  @Override
  public Integer call() throws Exception {
    List<AgeIdentity> identities = new ArrayList<>();
    for (Path file : identityFiles) {
      identities.addAll(AgeIdentities.read(file));
    }
    try (ReadableByteChannel in = StreamTarget.input(input);
        StreamTarget out = StreamTarget.open(output)) {
      AgeDecryptor.decrypt(in, StreamTarget.inputName(input), out.channel(), identities, n -> {});
      out.commit();
    }
    return 0;
  }
}
