package org.hpcs.agent.sif;

/** Role of a SIF partition: the {@code Parttype} field of the partition descriptor. */
public enum PartitionType {
  SYSTEM(1),
  /** The root file system that Apptainer runs; at most one per image. */
  PRIMARY_SYSTEM(2),
  DATA(3),
  OVERLAY(4),
  UNKNOWN(-1);

  private final int code;

  PartitionType(int code) {
    this.code = code;
  }

  /** Returns the constant for a descriptor's code, or {@link #UNKNOWN}. */
  public static PartitionType of(int code) {
    for (PartitionType type : values()) {
      if (type.code == code) {
        return type;
      }
    }
    return UNKNOWN;
  }
}
