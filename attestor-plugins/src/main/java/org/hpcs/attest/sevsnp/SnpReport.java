package org.hpcs.attest.sevsnp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An SEV-SNP attestation report as the AMD Secure Processor returns it to a guest.
 *
 * <p>Offsets follow the table "ATTESTATION_REPORT Structure" of AMD's "SEV Secure Nested Paging
 * Firmware ABI Specification", publication 56860, revision 1.57. Integers are little-endian. The
 * report is 0x4A0 bytes; the signature at 0x2A0 covers bytes 0x000 to 0x29F. Report versions 3 and
 * later add the CPUID family, model and stepping at 0x188 to 0x18A, which were reserved in version
 * 2; every other field used here has the same place in versions 2 and 3.
 */
public final class SnpReport {
  /** Size of a report in bytes. */
  public static final int SIZE = 0x4A0;

  /** Number of leading bytes that the signature covers. */
  public static final int SIGNED_SIZE = 0x2A0;

  /** SIGNATURE_ALGO value for ECDSA P-384 with SHA-384. */
  public static final int SIGNATURE_ALGO_ECDSA_P384_SHA384 = 1;

  /** Bit of the guest policy that allows a debugger to read guest memory. */
  public static final int POLICY_DEBUG_BIT = 19;

  private static final int VERSION = 0x000;
  private static final int GUEST_SVN = 0x004;
  private static final int POLICY = 0x008;
  private static final int FAMILY_ID = 0x010;
  private static final int IMAGE_ID = 0x020;
  private static final int VMPL = 0x030;
  private static final int SIGNATURE_ALGO = 0x034;
  private static final int CURRENT_TCB = 0x038;
  private static final int PLATFORM_INFO = 0x040;
  private static final int FLAGS = 0x048;
  private static final int REPORT_DATA = 0x050;
  private static final int MEASUREMENT = 0x090;
  private static final int HOST_DATA = 0x0C0;
  private static final int ID_KEY_DIGEST = 0x0E0;
  private static final int AUTHOR_KEY_DIGEST = 0x110;
  private static final int REPORT_ID = 0x140;
  private static final int REPORTED_TCB = 0x180;
  private static final int CPUID_FAM_ID = 0x188;
  private static final int CPUID_MOD_ID = 0x189;
  private static final int CHIP_ID = 0x1A0;
  private static final int COMMITTED_TCB = 0x1E0;
  private static final int LAUNCH_TCB = 0x1F0;
  private static final int SIGNATURE_R = 0x2A0;
  private static final int SIGNATURE_S = 0x2E8;
  private static final int SIGNATURE_COMPONENT = 72;
  private static final int P384_COMPONENT = 48;
  private static final int TURIN_FAMILY = 0x1A;

  private final byte[] raw;

  private SnpReport(byte[] raw) {
    this.raw = raw;
  }

  /**
   * Parses a report.
   *
   * @throws MalformedReportException when the input is not exactly {@link #SIZE} bytes or the
   *     signature fields have bytes set beyond a P-384 value
   */
  public static SnpReport parse(byte[] bytes) throws MalformedReportException {
    Objects.requireNonNull(bytes, "bytes must not be null");
    if (bytes.length != SIZE) {
      throw new MalformedReportException(
          "report has " + bytes.length + " bytes, an SEV-SNP attestation report has " + SIZE);
    }
    SnpReport report = new SnpReport(bytes.clone());
    report.checkSignaturePadding(SIGNATURE_R);
    report.checkSignaturePadding(SIGNATURE_S);
    return report;
  }

  private void checkSignaturePadding(int offset) throws MalformedReportException {
    for (int i = offset + P384_COMPONENT; i < offset + SIGNATURE_COMPONENT; i++) {
      if (raw[i] != 0) {
        throw new MalformedReportException(
            "signature component at offset 0x"
                + Integer.toHexString(offset)
                + " has non-zero bytes beyond the 48 bytes of a P-384 value");
      }
    }
  }

  /** Returns the report format version. */
  public int version() {
    return u32(VERSION);
  }

  /** Returns the guest SVN. */
  public int guestSvn() {
    return u32(GUEST_SVN);
  }

  /** Returns the guest policy bits. */
  public long policy() {
    return u64(POLICY);
  }

  /** Returns true when the guest policy allows debugging (bit 19). */
  public boolean debugAllowed() {
    return (policy() & (1L << POLICY_DEBUG_BIT)) != 0;
  }

  /** Returns the family ID that the guest owner chose (16 bytes). */
  public byte[] familyId() {
    return bytes(FAMILY_ID, 16);
  }

  /** Returns the image ID that the guest owner chose (16 bytes). */
  public byte[] imageId() {
    return bytes(IMAGE_ID, 16);
  }

  /** Returns the VMPL from which the guest requested the report. */
  public int vmpl() {
    return u32(VMPL);
  }

  /** Returns the signature algorithm code. */
  public int signatureAlgo() {
    return u32(SIGNATURE_ALGO);
  }

  /** Returns the platform's current TCB. */
  public TcbVersion currentTcb() {
    return tcb(CURRENT_TCB);
  }

  /** Returns the platform information bits. */
  public long platformInfo() {
    return u64(PLATFORM_INFO);
  }

  /** Returns the key that signed the report: 0 for the VCEK, 1 for a VLEK, 7 for none. */
  public int signingKey() {
    return (u32(FLAGS) >>> 2) & 0x7;
  }

  /** Returns the 64 bytes of report data that the guest supplied. */
  public byte[] reportData() {
    return bytes(REPORT_DATA, 64);
  }

  /** Returns the launch measurement (48 bytes, SHA-384). */
  public byte[] measurement() {
    return bytes(MEASUREMENT, 48);
  }

  /** Returns the host data that the hypervisor supplied at launch (32 bytes). */
  public byte[] hostData() {
    return bytes(HOST_DATA, 32);
  }

  /** Returns the SHA-384 digest of the ID public key that signed the ID block (48 bytes). */
  public byte[] idKeyDigest() {
    return bytes(ID_KEY_DIGEST, 48);
  }

  /** Returns the SHA-384 digest of the author public key (48 bytes). */
  public byte[] authorKeyDigest() {
    return bytes(AUTHOR_KEY_DIGEST, 48);
  }

  /** Returns the report ID of the guest (32 bytes). */
  public byte[] reportId() {
    return bytes(REPORT_ID, 32);
  }

  /** Returns the TCB that the VCEK signing this report was derived from. */
  public TcbVersion reportedTcb() {
    return tcb(REPORTED_TCB);
  }

  /** Returns the CPUID family from version 3 on, or -1 for older reports. */
  public int cpuidFamily() {
    return version() >= 3 ? Byte.toUnsignedInt(raw[CPUID_FAM_ID]) : -1;
  }

  /** Returns the CPUID model from version 3 on, or -1 for older reports. */
  public int cpuidModel() {
    return version() >= 3 ? Byte.toUnsignedInt(raw[CPUID_MOD_ID]) : -1;
  }

  /** Returns the chip ID (64 bytes); all zero when the guest policy masks it. */
  public byte[] chipId() {
    return bytes(CHIP_ID, 64);
  }

  /** Returns the committed TCB. */
  public TcbVersion committedTcb() {
    return tcb(COMMITTED_TCB);
  }

  /** Returns the TCB at the time the guest was launched or imported. */
  public TcbVersion launchTcb() {
    return tcb(LAUNCH_TCB);
  }

  /** Returns the bytes that the signature covers. */
  public byte[] signedBytes() {
    return Arrays.copyOfRange(raw, 0, SIGNED_SIZE);
  }

  /**
   * Returns the signature as r followed by s, each 48 bytes big-endian (IEEE P1363 form, as the
   * JDK's {@code SHA384withECDSAinP1363Format} expects). The report stores each as a 72-byte
   * little-endian field.
   */
  public byte[] signatureP1363() {
    byte[] out = new byte[2 * P384_COMPONENT];
    for (int i = 0; i < P384_COMPONENT; i++) {
      out[P384_COMPONENT - 1 - i] = raw[SIGNATURE_R + i];
      out[2 * P384_COMPONENT - 1 - i] = raw[SIGNATURE_S + i];
    }
    return out;
  }

  /** Returns a copy of the whole report. */
  public byte[] toByteArray() {
    return raw.clone();
  }

  private TcbVersion tcb(int offset) {
    boolean turin = version() >= 3 && cpuidFamily() == TURIN_FAMILY;
    return TcbVersion.fromRaw(u64(offset), turin);
  }

  private int u32(int offset) {
    return ByteBuffer.wrap(raw, offset, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  private long u64(int offset) {
    return ByteBuffer.wrap(raw, offset, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  private byte[] bytes(int offset, int length) {
    return Arrays.copyOfRange(raw, offset, offset + length);
  }
}
