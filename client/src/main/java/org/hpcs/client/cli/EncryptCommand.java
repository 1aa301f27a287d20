package org.hpcs.client.cli;

import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.hpcs.client.HpcsException;
import org.hpcs.common.crypto.AgeEncryptor;
import org.hpcs.common.crypto.AgeRecipient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hpcs encrypt}: age encryption, file or stream, compatible with the age tool. */
@Command(
    name = "encrypt",
    mixinStandardHelpOptions = true,
    description = {
      "Encrypt INPUT (or standard input) to age X25519 recipients.",
      "The output is an age v1 file that 'age -d' decrypts."
    })
final class EncryptCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = {"-r", "--recipient"},
      paramLabel = "RECIPIENT",
      required = true,
      description = "Public key to encrypt to (age1..., as age-keygen -y prints). Repeatable.")
  List<String> recipients;

  @Option(
      names = {"-a", "--armor"},
      description = "Write PEM-style ASCII armor instead of binary.")
  boolean armor;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "OUTPUT",
      description =
          "Output file (default: standard output). A regular file appears only when complete"
              + " and replaces an existing one.")
  Path output;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "INPUT",
      description = "File to encrypt (default or '-': standard input).")
  Path input;

  @Override
  public Integer call() throws Exception {
    List<AgeRecipient> parsed = new ArrayList<>();
    for (String recipient : recipients) {
      parsed.add(AgeRecipient.parse(recipient));
    }
    if (!armor && StreamTarget.isStandardOutput(output) && Terminals.terminal() != null) {
      throw new HpcsException(
          "refusing to write binary ciphertext to the terminal",
          "use -o FILE, redirect standard output, or -a for armored text");
    }
    try (ReadableByteChannel in = StreamTarget.input(input);
        StreamTarget out = StreamTarget.open(output)) {
      AgeEncryptor.encrypt(in, out.channel(), parsed, armor, n -> {});
      out.commit();
    }
    return 0;
  }
}
