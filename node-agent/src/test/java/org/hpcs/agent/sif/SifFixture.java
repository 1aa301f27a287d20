package org.hpcs.agent.sif;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small SIF files for tests, including broken ones that siftool cannot make: the layout
 * follows {@link SifImage}'s description (128-byte header, 585-byte descriptors at 4096).
 */
public final class SifFixture {
  private static final int TABLE_OFFSET = 4096;
  private static final int SLOTS = 4;

  private final List<Object[]> partitions = new ArrayList<>();
  private String magic = "SIF_MAGIC";
  private long badOffset = -1;

  /** Adds a partition with {@code fs} and {@code type} codes holding {@code content}. */
  public SifFixture partition(int fs, int type, byte[] content) {
    partitions.add(new Object[] {fs, type, content});
    return this;
  }

  /** Adds a squashfs partition of {@code type} that starts with the squashfs magic. */
  public SifFixture squashfs(int type) {
    byte[] content = new byte[8192];
    System.arraycopy("hsqs".getBytes(StandardCharsets.US_ASCII), 0, content, 0, 4);
    return partition(1, type, content);
  }

  /** Replaces the magic string. */
  public SifFixture magic(String value) {
    this.magic = value;
    return this;
  }

  /** Makes the first descriptor point to {@code offset}. */
  public SifFixture firstOffset(long offset) {
    this.badOffset = offset;
    return this;
  }

  /** Writes the file. */
  public Path write(Path file) throws IOException {
    int dataOffset = TABLE_OFFSET + SLOTS * SifImage.DESCRIPTOR_SIZE;
    int dataSize = partitions.stream().mapToInt(p -> ((byte[]) p[2]).length).sum();
    ByteBuffer out = ByteBuffer.allocate(dataOffset + dataSize).order(ByteOrder.LITTLE_ENDIAN);
    out.put(SifImage.MAGIC_OFFSET, magic.getBytes(StandardCharsets.US_ASCII));
    out.put(SifImage.MAGIC_OFFSET + 10, "01".getBytes(StandardCharsets.US_ASCII));
    out.putLong(88, SLOTS);
    out.putLong(96, TABLE_OFFSET);
    long offset = dataOffset;
    for (int i = 0; i < partitions.size(); i++) {
      Object[] p = partitions.get(i);
      byte[] content = (byte[]) p[2];
      int d = TABLE_OFFSET + i * SifImage.DESCRIPTOR_SIZE;
      out.putInt(d, SifImage.DATA_TYPE_PARTITION);
      out.put(d + 4, (byte) 1);
      out.putInt(d + 5, i + 1);
      out.putLong(d + 17, i == 0 && badOffset >= 0 ? badOffset : offset);
      out.putLong(d + 25, content.length);
      out.putInt(d + 201, (Integer) p[0]);
      out.putInt(d + 205, (Integer) p[1]);
      out.put(d + 209, "02".getBytes(StandardCharsets.US_ASCII));
      out.put((int) offset, content);
      offset += content.length;
    }
    Files.write(file, out.array());
    return file;
  }
}
