package org.hpcs.common.bundle;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The content type of a bundle. */
public enum BundleKind {
  /** A SIF container image, encrypted as it is. */
  @JsonProperty("container")
  CONTAINER,
  /** A dataset (a directory or one file), encrypted as a tar stream. */
  @JsonProperty("data")
  DATA;

  /** Returns the name used in manifests. */
  public String wireName() {
    return this == CONTAINER ? "container" : "data";
  }
}
