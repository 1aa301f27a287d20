package org.hpcs.attest.sevsnp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

/**
 * The certificate table that an extended report request returns (configfs-tsm {@code auxblob}):
 * entries of GUID (16 bytes), offset (u32) and length (u32), little-endian, ended by an all-zero
 * entry; offsets count from the start of the table. Layout from AMD's GHCB specification
 * (publication 56421), section "SNP Extended Guest Request".
 */
final class CertificateTable {
  /** GUID of the VCEK certificate entry. */
  static final UUID VCEK_GUID = UUID.fromString("63da758d-e664-4564-adc5-f4b93be8accd");

  private static final int ENTRY_SIZE = 24;

  private CertificateTable() {}

  /** Returns the DER bytes of the entry with the given GUID, if the table has one. */
  static Optional<byte[]> find(byte[] table, UUID guid) {
    ByteBuffer buffer = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = 0; at + ENTRY_SIZE <= table.length; at += ENTRY_SIZE) {
      UUID entry = guidAt(buffer, at);
      long offset = Integer.toUnsignedLong(buffer.getInt(at + 16));
      long length = Integer.toUnsignedLong(buffer.getInt(at + 20));
      if (entry.getMostSignificantBits() == 0 && entry.getLeastSignificantBits() == 0) {
        return Optional.empty();
      }
      if (entry.equals(guid) && offset + length <= table.length) {
        return Optional.of(Arrays.copyOfRange(table, (int) offset, (int) (offset + length)));
      }
    }
    return Optional.empty();
  }

  /** Reads a GUID in its mixed-endian binary form: the first three fields little-endian. */
  static UUID guidAt(ByteBuffer buffer, int at) {
    long data1 = Integer.toUnsignedLong(buffer.getInt(at));
    long data2 = Short.toUnsignedLong(buffer.getShort(at + 4));
    long data3 = Short.toUnsignedLong(buffer.getShort(at + 6));
    long high = (data1 << 32) | (data2 << 16) | data3;
    long low = buffer.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(at + 8);
    return new UUID(high, low);
  }
}
