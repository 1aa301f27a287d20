package org.hpcs.attest.sevsnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.NodeAttestor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SevSnpNodeAttestorTest {
  @TempDir Path dir;

  @Test
  void attest_noGuestInterface_deniedUnavailableNamingBoth() throws Exception {
    NodeAttestor attestor =
        new SevSnpProvider()
            .nodeAttestor(
                Map.of(
                    "configfs-tsm-dir", dir.resolve("tsm/report").toString(),
                    "sev-guest-device", dir.resolve("sev-guest").toString()));

    assertThatThrownBy(() -> attestor.attest(new Challenge(new byte[32], "n1")))
        .isInstanceOfSatisfying(
            AttestationException.class,
            e -> assertThat(e.reason()).isEqualTo(SevSnpReasons.UNAVAILABLE))
        .hasMessageContaining("tsm/report does not exist")
        .hasMessageContaining("sev-guest does not exist")
        .hasMessageContaining("SEV-SNP guest");
  }

  @Test
  void attest_onlyDeviceWantedAndMissing_namesOnlyDevice() throws Exception {
    NodeAttestor attestor =
        new SevSnpProvider()
            .nodeAttestor(
                Map.of(
                    "report-source",
                    "sev-guest",
                    "sev-guest-device",
                    dir.resolve("sev-guest").toString()));

    assertThatThrownBy(() -> attestor.attest(new Challenge(new byte[32], "n1")))
        .hasMessageContaining("sev-guest does not exist")
        .hasMessageNotContaining("tsm/report");
  }

  @Test
  void nodeAttestor_unknownSource_rejectsConfig() {
    assertThatThrownBy(() -> new SevSnpProvider().nodeAttestor(Map.of("report-source", "tdx")))
        .hasMessageContaining("'tdx'")
        .hasMessageContaining("report-source");
  }

  @Test
  void compute_matchesDefinition() throws Exception {
    byte[] nonce = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
    byte[] key = {0x30, 0x01, 0x02};
    ByteBuffer expectedInput = ByteBuffer.allocate(200).order(ByteOrder.BIG_ENDIAN);
    expectedInput.put("HPCS-SEV-SNP-REPORT-DATA-V1".getBytes(StandardCharsets.US_ASCII));
    expectedInput.put((byte) 0);
    expectedInput.putInt(2).put("n1".getBytes(StandardCharsets.UTF_8));
    expectedInput.putInt(16).put(nonce);
    expectedInput.putInt(3).put(key);
    MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
    sha512.update(expectedInput.array(), 0, expectedInput.position());

    byte[] data = ReportData.compute("n1", nonce, key);

    assertThat(data).hasSize(64).isEqualTo(sha512.digest());
  }

  @Test
  void compute_nonceAndKeyBoundariesDiffer_differentData() {
    byte[] first = ReportData.compute("n1", new byte[] {1, 2}, new byte[] {3});
    byte[] second = ReportData.compute("n1", new byte[] {1}, new byte[] {2, 3});

    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void find_tableWithVcek_returnsEntry() {
    byte[] vcek = {0x30, 0x03, 1, 2, 3};
    ByteBuffer table = ByteBuffer.allocate(48 + vcek.length).order(ByteOrder.LITTLE_ENDIAN);
    // GUID 63da758d-e664-4564-adc5-f4b93be8accd, first three fields little-endian
    table.putInt(0x63da758d).putShort((short) 0xe664).putShort((short) 0x4564);
    table.order(ByteOrder.BIG_ENDIAN).putLong(0xadc5f4b93be8accdL).order(ByteOrder.LITTLE_ENDIAN);
    table.putInt(48).putInt(vcek.length);
    table.put(new byte[24]);
    table.put(vcek);

    assertThat(CertificateTable.find(table.array(), CertificateTable.VCEK_GUID)).contains(vcek);
  }

  @Test
  void find_emptyTable_returnsEmpty() {
    assertThat(CertificateTable.find(new byte[24], CertificateTable.VCEK_GUID)).isEmpty();
  }
}
