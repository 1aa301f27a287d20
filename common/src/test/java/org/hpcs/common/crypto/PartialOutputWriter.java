package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Child process for {@link AtomicFileOutputSignalTest}: writes part of an output file, prints
 * "written" and waits to be ended by a signal.
 */
final class PartialOutputWriter {
  private PartialOutputWriter() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    AtomicFileOutput output = AtomicFileOutput.create(Path.of(args[0]), false);
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    while (buffer.hasRemaining()) {
      output.channel().write(buffer);
    }
    System.out.println("written");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
