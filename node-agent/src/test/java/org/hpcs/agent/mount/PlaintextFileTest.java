package org.hpcs.agent.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlaintextFileTest {
  @TempDir Path dir;

  @Test
  void copyFrom_largerThanBuffer_writesAll() throws Exception {
    byte[] content = new byte[PlaintextFile.BUFFER_SIZE * 2 + 12345];
    new Random(7).nextBytes(content);
    Path target = dir.resolve("out.bin");

    long committed;
    try (PlaintextFile file = open(target)) {
      assertThat(file.copyFrom(new ByteArrayInputStream(content))).isEqualTo(content.length);
      committed = file.commit();
    }

    assertThat(Files.readAllBytes(target)).isEqualTo(content);
    assertThat(committed).isEqualTo(content.length);
  }

  @Test
  void write_mixedWithCopy_keepsOrder() throws Exception {
    Path target = dir.resolve("mixed.bin");
    try (PlaintextFile file = open(target)) {
      file.write(ByteBuffer.wrap(new byte[] {1, 2}));
      file.copyFrom(new ByteArrayInputStream(new byte[] {3}));
      file.write(ByteBuffer.wrap(new byte[] {4}));
      assertThat(file.size()).isEqualTo(4);
      file.commit();
    }

    assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3, 4);
  }

  @Test
  void close_withoutCommit_deletesFile() throws Exception {
    Path target = dir.resolve("partial.bin");
    PlaintextFile file = open(target);
    file.write(ByteBuffer.wrap(new byte[PlaintextFile.BUFFER_SIZE + 1]));

    file.close();

    assertThat(target).doesNotExist();
    assertThatThrownBy(() -> file.write(ByteBuffer.allocate(1)))
        .isInstanceOf(ClosedChannelException.class);
  }

  private static PlaintextFile open(Path target) throws Exception {
    return new PlaintextFile(
        target, FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
  }
}
