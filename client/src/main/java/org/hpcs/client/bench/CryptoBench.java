package org.hpcs.client.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.hpcs.common.crypto.AgeDecryptor;
import org.hpcs.common.crypto.AgeEncryptor;
import org.hpcs.common.crypto.AgeException;
import org.hpcs.common.crypto.AgeIdentities;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.crypto.AgeRecipient;

/**
 * In-process throughput of the age library, for bench/crypto-bench. Runs one warm-up pass, then
 * {@code runs} timed passes, and prints one line per pass: {@code <mode> <run> <bytes> <seconds>
 * <cpu-seconds>}, where the CPU seconds are those of the whole JVM (all threads, JIT and GC
 * included) during the pass. Output is discarded (like writing to /dev/null) so that only reading
 * and crypto are timed.
 *
 * <p>Usage: {@code CryptoBench decrypt FILE.age IDENTITY_FILE RUNS} or {@code CryptoBench encrypt
 * FILE RECIPIENT RUNS}.
 */
public final class CryptoBench {
  private CryptoBench() {}

  /** Runs the benchmark described in the class comment. */
  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: CryptoBench decrypt|encrypt FILE KEY RUNS");
      System.exit(2);
    }
    Path file = Path.of(args[1]);
    int runs = Integer.parseInt(args[3]);
    OperatingSystemMXBean system = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
    for (int run = 0; run <= runs; run++) {
      long cpuStart = system.getProcessCpuTime();
      long start = System.nanoTime();
      long bytes =
          args[0].equals("decrypt")
              ? decrypt(file, AgeIdentities.read(Path.of(args[2])))
              : encrypt(file, AgeRecipient.parse(args[2]));
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuSeconds = (system.getProcessCpuTime() - cpuStart) / 1e9;
      String label = run == 0 ? "warmup" : Integer.toString(run);
      System.out.printf("%s %s %d %.4f %.4f%n", args[0], label, bytes, seconds, cpuSeconds);
    }
  }

  private static long decrypt(Path file, List<AgeIdentity> identities)
      throws IOException, AgeException {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      return AgeDecryptor.decrypt(in, file.toString(), new Discard(), identities, n -> {});
    }
  }

  private static long encrypt(Path file, AgeRecipient recipient) throws IOException, AgeException {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      return AgeEncryptor.encrypt(in, new Discard(), List.of(recipient), false, n -> {});
    }
  }

  /** Drops every byte written. */
  private static final class Discard implements WritableByteChannel {
    private boolean open = true;

    @Override
    public int write(ByteBuffer buffer) {
      int count = buffer.remaining();
      buffer.position(buffer.limit());
      return count;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }
}
