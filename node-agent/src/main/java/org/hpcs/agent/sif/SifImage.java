package org.hpcs.agent.sif;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A parsed Singularity Image Format file: the global header and the partition descriptors.
 *
 * <p>Layout (SIF version 01, little-endian, fields packed without padding): a 128-byte global
 * header with the launch line (32 bytes), {@code SIF_MAGIC\0} at offset 32, the version at 42, and
 * at 88 the total descriptor count and at 96 the descriptor table offset, both signed 64-bit. Each
 * descriptor is 585 bytes: data type (int32), used flag (byte), id, group id and link (uint32),
 * then offset, size, size with padding, creation and modification time, uid and gid (int64), a
 * 128-byte name and 384 bytes of type-specific data. For a partition (data type 0x4004) that data
 * starts with the file system type and partition type (int32) and a 3-byte architecture code.
 *
 * <p>The root file system is the primary system partition. Images made with {@code siftool add
 * --parttype 1} declare a plain system partition instead; when the image has exactly one of those
 * and no primary one, it is taken as the root, and {@link #hasPrimaryPartition()} returns false so
 * that a runtime which needs a primary partition (Apptainer) can reject the image.
 */
public final class SifImage {
  static final int HEADER_SIZE = 128;
  static final int DESCRIPTOR_SIZE = 585;
  static final int MAGIC_OFFSET = 32;
  static final int DATA_TYPE_PARTITION = 0x4004;
  private static final byte[] MAGIC = "SIF_MAGIC\0".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_DESCRIPTORS = 4096;
  private static final int SQUASHFS_MAGIC = 0x73717368;

  private final Path path;
  private final long fileSize;
  private final List<SifPartition> partitions;
  private final SifPartition root;
  private final boolean primary;

  private SifImage(Path path, long fileSize, List<SifPartition> partitions, SifPartition root) {
    this.path = path;
    this.fileSize = fileSize;
    this.partitions = List.copyOf(partitions);
    this.root = root;
    this.primary = root.type() == PartitionType.PRIMARY_SYSTEM;
  }

  /**
   * Reads and checks the header and descriptors of {@code path}.
   *
   * @throws SifException if the file is not SIF, a descriptor points outside the file, or there is
   *     no squashfs root file system partition
   */
  public static SifImage open(Path path) throws SifException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      ByteBuffer header = read(channel, 0, HEADER_SIZE, path);
      checkHeader(header, path);
      List<SifPartition> partitions = readPartitions(channel, header, size, path);
      SifPartition root = findRoot(partitions, path);
      checkSquashfsMagic(channel, root, path);
      return new SifImage(path, size, partitions, root);
    } catch (IOException e) {
      throw new SifException("Cannot read SIF image " + path + ": " + e.getMessage(), e);
    }
  }

  /** Returns the image path. */
  public Path path() {
    return path;
  }

  /** Returns the image size in bytes. */
  public long fileSize() {
    return fileSize;
  }

  /** Returns every partition descriptor in use, in table order. */
  public List<SifPartition> partitions() {
    return partitions;
  }

  /** Returns the root file system partition. */
  public SifPartition rootPartition() {
    return root;
  }

  /** Returns true when the root partition is declared primary, as Apptainer requires. */
  public boolean hasPrimaryPartition() {
    return primary;
  }

  /** Returns true when the root file system is an Apptainer-encrypted squashfs. */
  public boolean hasEncryptedRoot() {
    return root.fs() == PartitionFs.ENCRYPTED_SQUASHFS;
  }

  private static void checkHeader(ByteBuffer header, Path path) throws SifException {
    byte[] magic = new byte[MAGIC.length];
    header.get(MAGIC_OFFSET, magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new SifException(
          path
              + " is not a SIF image: no SIF_MAGIC at byte "
              + MAGIC_OFFSET
              + "; build it with"
              + " apptainer build or siftool");
    }
    String version = ascii(header, MAGIC_OFFSET + MAGIC.length, 3);
    if (!version.equals("01")) {
      throw new SifException(
          path + " has SIF version '" + version + "'; only version 01 is supported");
    }
  }

  private static List<SifPartition> readPartitions(
      FileChannel channel, ByteBuffer header, long size, Path path)
      throws IOException, SifException {
    long total = header.getLong(88);
    long tableOffset = header.getLong(96);
    if (total < 1 || total > MAX_DESCRIPTORS) {
      throw new SifException(
          path + " declares " + total + " descriptors; expected 1 to " + MAX_DESCRIPTORS);
    }
    long tableSize = total * DESCRIPTOR_SIZE;
    if (tableOffset < HEADER_SIZE || tableOffset > size - tableSize) {
      throw new SifException(
          path
              + " has a descriptor table at byte "
              + tableOffset
              + " of "
              + tableSize
              + " bytes, outside the file of "
              + size
              + " bytes; the file is truncated or corrupt");
    }
    ByteBuffer table = read(channel, tableOffset, (int) tableSize, path);
    List<SifPartition> partitions = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      parseDescriptor(table.slice(i * DESCRIPTOR_SIZE, DESCRIPTOR_SIZE), size, path)
          .ifPresent(partitions::add);
    }
    return partitions;
  }

  private static Optional<SifPartition> parseDescriptor(ByteBuffer d, long size, Path path)
      throws SifException {
    d.order(ByteOrder.LITTLE_ENDIAN);
    if (d.get(4) == 0) {
      return Optional.empty();
    }
    int dataType = d.getInt(0);
    int id = d.getInt(5);
    long offset = d.getLong(17);
    long length = d.getLong(25);
    if (offset < 0 || length < 0 || offset > size || length > size - offset) {
      throw new SifException(
          path
              + ": descriptor "
              + id
              + " points to bytes "
              + offset
              + " to "
              + (offset + length)
              + ", outside the file of "
              + size
              + " bytes; the file is truncated or corrupt");
    }
    if (dataType != DATA_TYPE_PARTITION) {
      return Optional.empty();
    }
    int extra = 201;
    return Optional.of(
        new SifPartition(
            id,
            offset,
            length,
            PartitionFs.of(d.getInt(extra)),
            PartitionType.of(d.getInt(extra + 4)),
            ascii(d, extra + 8, 3)));
  }

  private static SifPartition findRoot(List<SifPartition> partitions, Path path)
      throws SifException {
    List<SifPartition> primary = ofType(partitions, PartitionType.PRIMARY_SYSTEM);
    List<SifPartition> system = ofType(partitions, PartitionType.SYSTEM);
    SifPartition root;
    if (primary.size() > 1) {
      throw new SifException(path + " has " + primary.size() + " primary system partitions");
    } else if (primary.size() == 1) {
      root = primary.get(0);
    } else if (system.size() == 1) {
      root = system.get(0);
    } else {
      throw new SifException(
          path
              + " has no squashfs system partition (found "
              + describe(partitions)
              + "); build the image with apptainer build, or add the squashfs with siftool add"
              + " --datatype 4 --parttype 2 --partfs 1");
    }
    if (!root.isSquashfs()) {
      throw new SifException(
          path
              + ": the system partition "
              + root.id()
              + " holds "
              + root.fs()
              + ", not squashfs; rebuild the image with a squashfs root file system");
    }
    return root;
  }

  private static void checkSquashfsMagic(FileChannel channel, SifPartition root, Path path)
      throws IOException, SifException {
    if (root.fs() != PartitionFs.SQUASHFS) {
      return;
    }
    if (root.size() < 4) {
      throw new SifException(path + ": the squashfs partition " + root.id() + " is empty");
    }
    int magic = read(channel, root.offset(), 4, path).getInt(0);
    if (magic != SQUASHFS_MAGIC) {
      throw new SifException(
          path
              + ": partition "
              + root.id()
              + " at byte "
              + root.offset()
              + " is declared squashfs but does not start with the squashfs magic 'hsqs'");
    }
  }

  private static List<SifPartition> ofType(List<SifPartition> partitions, PartitionType type) {
    return partitions.stream().filter(p -> p.type() == type).toList();
  }

  private static String describe(List<SifPartition> partitions) {
    if (partitions.isEmpty()) {
      return "no partitions";
    }
    return partitions.stream().map(p -> p.type() + "/" + p.fs()).toList().toString();
  }

  private static ByteBuffer read(FileChannel channel, long offset, int length, Path path)
      throws IOException, SifException {
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, offset + buffer.position()) < 0) {
        throw new SifException(
            path
                + " ends at byte "
                + (offset + buffer.position())
                + ", before the "
                + length
                + " bytes needed at byte "
                + offset
                + "; the file is truncated");
      }
    }
    return buffer.flip();
  }

  private static String ascii(ByteBuffer buffer, int offset, int length) {
    StringBuilder text = new StringBuilder();
    for (int i = offset; i < offset + length; i++) {
      byte b = buffer.get(i);
      if (b == 0) {
        break;
      }
      text.append((char) (b & 0xff));
    }
    return text.toString();
  }
}
