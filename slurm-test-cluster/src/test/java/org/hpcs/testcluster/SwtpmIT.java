package org.hpcs.testcluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Each node's software TPM serves its port and contains an EK certificate from swtpm-localca. */
@ExtendWith(TestClusterExtension.class)
class SwtpmIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String RSA_EK_CERT_INDEX = "0x1c00002";
  private static final String LOCALCA_ROOT = "/var/lib/swtpm-localca/swtpm-localca-rootca-cert.pem";
  private static final String LOCALCA_ISSUER = "/var/lib/swtpm-localca/issuercert.pem";

  @Test
  void nvread_ekCertificateOfN3_chainsToLocalCa(TestCluster cluster, @TempDir Path dir) {
    InetSocketAddress tpm = cluster.swtpm("n3");
    String tcti = "swtpm:host=" + tpm.getHostString() + ",port=" + tpm.getPort();
    Path der = dir.resolve("ek.der");
    Path pem = dir.resolve("ek.pem");

    CommandResult read =
        Commands.run(
            TIMEOUT, List.of("tpm2_nvread", "-T", tcti, RSA_EK_CERT_INDEX, "-o", der.toString()));
    assertThat(read.succeeded()).as(read.describe()).isTrue();
    CommandResult convert =
        Commands.run(
            TIMEOUT,
            List.of(
                "openssl",
                "x509",
                "-inform",
                "der",
                "-in",
                der.toString(),
                "-out",
                pem.toString()));
    assertThat(convert.succeeded()).as(convert.describe()).isTrue();
    CommandResult verify =
        Commands.run(
            TIMEOUT,
            List.of(
                "openssl",
                "verify",
                "-CAfile",
                LOCALCA_ROOT,
                "-untrusted",
                LOCALCA_ISSUER,
                pem.toString()));

    assertThat(verify.succeeded()).as(verify.describe()).isTrue();
    assertThat(verify.stdout()).contains(": OK");
  }
}
