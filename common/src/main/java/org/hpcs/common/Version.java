package org.hpcs.common;

/** The product version shared by every module. */
public final class Version {
  /** The version string that components report to each other. */
  public static final String CURRENT = "0.1.0";

  private Version() {}
}
