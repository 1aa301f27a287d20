package org.hpcs.agent.sif;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SifImageTest {
  private static final int SQUASHFS = 1;
  private static final int EXT3 = 2;
  private static final int ENCRYPTED_SQUASHFS = 5;
  private static final int SYSTEM = 1;
  private static final int PRIMARY = 2;
  private static final int DATA = 3;

  @TempDir Path dir;

  @Test
  void open_primarySquashfs_findsRootPartition() throws Exception {
    Path sif = new SifFixture().partition(4, DATA, new byte[10]).squashfs(PRIMARY).write(file());

    SifImage image = SifImage.open(sif);

    assertThat(image.partitions()).hasSize(2);
    assertThat(image.rootPartition().id()).isEqualTo(2);
    assertThat(image.rootPartition().offset()).isEqualTo(4096 + 4 * 585 + 10);
    assertThat(image.rootPartition().size()).isEqualTo(8192);
    assertThat(image.rootPartition().arch()).isEqualTo("02");
    assertThat(image.hasPrimaryPartition()).isTrue();
    assertThat(image.hasEncryptedRoot()).isFalse();
  }

  @Test
  void open_onlySystemPartition_acceptsItAsNotPrimary() throws Exception {
    SifImage image = SifImage.open(new SifFixture().squashfs(SYSTEM).write(file()));

    assertThat(image.rootPartition().type()).isEqualTo(PartitionType.SYSTEM);
    assertThat(image.hasPrimaryPartition()).isFalse();
  }

  @Test
  void open_encryptedSquashfs_reportsEncryptedRoot() throws Exception {
    Path sif = new SifFixture().partition(ENCRYPTED_SQUASHFS, PRIMARY, new byte[64]).write(file());

    assertThat(SifImage.open(sif).hasEncryptedRoot()).isTrue();
  }

  @Test
  void open_noMagic_rejectsAsNotSif() throws Exception {
    Path sif = new SifFixture().magic("NOT_MAGIC").squashfs(PRIMARY).write(file());

    assertThatThrownBy(() -> SifImage.open(sif))
        .isInstanceOf(SifException.class)
        .hasMessageContaining("is not a SIF image: no SIF_MAGIC at byte 32");
  }

  @Test
  void open_descriptorOutsideFile_rejects() throws Exception {
    Path sif = new SifFixture().squashfs(PRIMARY).firstOffset(1L << 40).write(file());

    assertThatThrownBy(() -> SifImage.open(sif))
        .hasMessageContaining("descriptor 1 points to bytes 1099511627776")
        .hasMessageContaining("outside the file");
  }

  @Test
  void open_truncatedFile_rejectsDescriptorTable() throws Exception {
    Path sif = new SifFixture().squashfs(PRIMARY).write(file());
    byte[] bytes = Files.readAllBytes(sif);
    Files.write(sif, Arrays.copyOf(bytes, 4200));

    assertThatThrownBy(() -> SifImage.open(sif))
        .hasMessageContaining("descriptor table at byte 4096")
        .hasMessageContaining("truncated or corrupt");
  }

  @Test
  void open_noSystemPartition_rejectsWithFix() throws Exception {
    Path sif = new SifFixture().squashfs(DATA).write(file());

    assertThatThrownBy(() -> SifImage.open(sif))
        .hasMessageContaining("has no squashfs system partition")
        .hasMessageContaining("--parttype 2");
  }

  @Test
  void open_ext3Root_rejectsAsNotSquashfs() throws Exception {
    Path sif = new SifFixture().partition(EXT3, PRIMARY, new byte[64]).write(file());

    assertThatThrownBy(() -> SifImage.open(sif)).hasMessageContaining("holds EXT3, not squashfs");
  }

  @Test
  void open_squashfsWithoutMagic_rejects() throws Exception {
    Path sif = new SifFixture().partition(SQUASHFS, PRIMARY, new byte[64]).write(file());

    assertThatThrownBy(() -> SifImage.open(sif))
        .hasMessageContaining("does not start with the squashfs magic");
  }

  @Test
  void open_tinyFile_rejectsAsTruncated() throws Exception {
    Path sif = Files.write(file(), new byte[40]);

    assertThatThrownBy(() -> SifImage.open(sif)).hasMessageContaining("the file is truncated");
  }

  private Path file() {
    return dir.resolve("image.sif");
  }
}
