package org.hpcs.agent.sif;

/** File system of a SIF partition: the {@code Fstype} field of the partition descriptor. */
public enum PartitionFs {
  SQUASHFS(1),
  EXT3(2),
  IMMUTABLE_OBJECTS(3),
  RAW(4),
  /** Squashfs encrypted by Apptainer (LUKS2); only Apptainer can open it. */
  ENCRYPTED_SQUASHFS(5),
  UNKNOWN(-1);

  private final int code;

  PartitionFs(int code) {
    this.code = code;
  }

  /** Returns the constant for a descriptor's code, or {@link #UNKNOWN}. */
  public static PartitionFs of(int code) {
    for (PartitionFs fs : values()) {
      if (fs.code == code) {
        return fs;
      }
    }
    return UNKNOWN;
  }
}
