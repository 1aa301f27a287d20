package org.hpcs.agent.protocol;

import java.util.Arrays;

/** Manifest bytes as the plugin read them with the job user's rights; empty for site defaults. */
public final class ManifestData {
  private static final ManifestData EMPTY = new ManifestData(new byte[0]);

  private final byte[] bytes;

  private ManifestData(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Returns manifest data holding a copy of the bytes. */
  public static ManifestData of(byte[] bytes) {
    return bytes.length == 0 ? EMPTY : new ManifestData(bytes.clone());
  }

  /** Returns the empty manifest data. */
  public static ManifestData empty() {
    return EMPTY;
  }

  /** Returns a copy of the bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Returns the number of bytes. */
  public int length() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ManifestData m && Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "ManifestData[" + bytes.length + " bytes]";
  }
}
