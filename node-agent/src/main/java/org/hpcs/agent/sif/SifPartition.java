package org.hpcs.agent.sif;

/**
 * A partition data object of a SIF image.
 *
 * @param id descriptor id
 * @param offset byte offset of the partition in the file
 * @param size length of the partition in bytes
 * @param fs file system of the partition
 * @param type role of the partition
 * @param arch architecture code, for example {@code 02} for amd64
 */
public record SifPartition(
    int id, long offset, long size, PartitionFs fs, PartitionType type, String arch) {

  /** Returns true for a plain or encrypted squashfs partition. */
  public boolean isSquashfs() {
    return fs == PartitionFs.SQUASHFS || fs == PartitionFs.ENCRYPTED_SQUASHFS;
  }
}
