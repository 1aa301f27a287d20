package org.hpcs.attest.sevsnp;

/**
 * Security patch levels of the SEV-SNP firmware components, from a TCB_VERSION field.
 *
 * <p>On Milan and Genoa (family 0x19) the eight little-endian bytes are boot loader, TEE, four
 * reserved, SNP, microcode. On Turin (family 0x1A) they are FMC, boot loader, TEE, SNP, three
 * reserved, microcode. Components that a layout lacks are 0.
 *
 * @param fmc the FMC patch level (Turin only)
 * @param bootLoader the PSP boot loader patch level
 * @param tee the PSP operating system patch level
 * @param snp the SNP firmware patch level
 * @param microcode the lowest microcode patch level of all cores
 */
public record TcbVersion(int fmc, int bootLoader, int tee, int snp, int microcode) {
  /** Decodes a raw TCB_VERSION value in the Milan/Genoa layout or, if {@code turin}, Turin's. */
  public static TcbVersion fromRaw(long raw, boolean turin) {
    if (turin) {
      return new TcbVersion(
          component(raw, 0),
          component(raw, 1),
          component(raw, 2),
          component(raw, 3),
          component(raw, 7));
    }
    return new TcbVersion(
        0, component(raw, 0), component(raw, 1), component(raw, 6), component(raw, 7));
  }

  /** Returns true when every component is at least the one in {@code minimum}. */
  public boolean meets(TcbVersion minimum) {
    return fmc >= minimum.fmc
        && bootLoader >= minimum.bootLoader
        && tee >= minimum.tee
        && snp >= minimum.snp
        && microcode >= minimum.microcode;
  }

  @Override
  public String toString() {
    return "fmc="
        + fmc
        + ",bootloader="
        + bootLoader
        + ",tee="
        + tee
        + ",snp="
        + snp
        + ",microcode="
        + microcode;
  }

  private static int component(long raw, int index) {
    return (int) ((raw >>> (8 * index)) & 0xFF);
  }
}
