package org.hpcs.attest.sevsnp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.PrivateKey;
import java.security.Signature;

/** Builds signed SEV-SNP attestation reports for tests, field by field. */
final class SnpReportBuilder {
  private final ByteBuffer buffer =
      ByteBuffer.allocate(SnpReport.SIZE).order(ByteOrder.LITTLE_ENDIAN);

  SnpReportBuilder() {
    version(3);
    buffer.putLong(0x008, 0x30000L); // policy: SMT allowed, reserved bit 17 set, debug off
    buffer.putInt(0x034, SnpReport.SIGNATURE_ALGO_ECDSA_P384_SHA384);
    buffer.put(0x188, (byte) 0x19); // CPUID family: Milan and Genoa
  }

  SnpReportBuilder version(int version) {
    buffer.putInt(0x000, version);
    return this;
  }

  SnpReportBuilder policy(long policy) {
    buffer.putLong(0x008, policy);
    return this;
  }

  SnpReportBuilder vmpl(int vmpl) {
    buffer.putInt(0x030, vmpl);
    return this;
  }

  SnpReportBuilder signingKey(int key) {
    buffer.putInt(0x048, key << 2);
    return this;
  }

  SnpReportBuilder reportData(byte[] data) {
    buffer.put(0x050, data);
    return this;
  }

  SnpReportBuilder measurement(byte[] measurement) {
    buffer.put(0x090, measurement);
    return this;
  }

  /** Sets the current, reported, committed and launch TCB to the Milan/Genoa encoding. */
  SnpReportBuilder tcb(TcbVersion tcb) {
    long raw =
        tcb.bootLoader()
            | ((long) tcb.tee() << 8)
            | ((long) tcb.snp() << 48)
            | ((long) tcb.microcode() << 56);
    for (int offset : new int[] {0x038, 0x180, 0x1E0, 0x1F0}) {
      buffer.putLong(offset, raw);
    }
    return this;
  }

  SnpReportBuilder chipId(byte[] chipId) {
    buffer.put(0x1A0, chipId);
    return this;
  }

  /** Signs bytes 0x000 to 0x29F and stores r and s as 72-byte little-endian fields. */
  byte[] sign(PrivateKey vcekKey) throws Exception {
    Signature signer = Signature.getInstance("SHA384withECDSAinP1363Format");
    signer.initSign(vcekKey);
    signer.update(buffer.array(), 0, SnpReport.SIGNED_SIZE);
    byte[] rs = signer.sign();
    for (int i = 0; i < 48; i++) {
      buffer.put(0x2A0 + i, rs[47 - i]);
      buffer.put(0x2E8 + i, rs[95 - i]);
    }
    return buffer.array().clone();
  }
}
