package org.hpcs.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The stack's HPCS server and node agents, as stack.env describes them. */
@ExtendWith(TestClusterExtension.class)
class HpcsServerIT {

  @Test
  void healthz_serverCaAndHostName_serverIsHealthy(TestCluster cluster) throws Exception {
    cluster.assumeSpire();
    cluster.assumeOpenBao();
    HttpClient client = HttpClient.newBuilder().sslContext(trusting(cluster)).build();

    HttpResponse<String> reply =
        client.send(
            HttpRequest.newBuilder(cluster.hpcsServerUrl().resolve("/healthz")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(reply.body()).contains("\"ok\"");
    X509Certificate leaf =
        (X509Certificate) reply.sslSession().orElseThrow().getPeerCertificates()[0];
    assertThat(leaf.getSubjectAlternativeNames())
        .contains(List.of(6, "spiffe://" + cluster.trustDomain() + "/hpcs/server"));
  }

  @Test
  void healthz_defaultTrust_rejectsServerCertificate(TestCluster cluster) {
    cluster.assumeSpire();
    cluster.assumeOpenBao();
    HttpClient client = HttpClient.newHttpClient();

    assertThatThrownBy(
            () ->
                client.send(
                    HttpRequest.newBuilder(cluster.hpcsServerUrl().resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("PKIX");
  }

  @Test
  void agentConfigs_everyNode_installedRootOnly(TestCluster cluster) throws Exception {
    cluster.assumeSpire();
    cluster.assumeOpenBao();
    List<String> devidNodes = List.of(cluster.env("TPM_DEVID_NODES").split(" "));
    for (String node : cluster.slurmNodes()) {
      assertThat(Files.getPosixFilePermissions(cluster.agentConfig(node)))
          .as("mode of %s", cluster.agentConfig(node))
          .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
      String attestor = devidNodes.contains(node) ? "tpm-devid" : "join-token";
      assertThat(Files.readString(cluster.agentConfig(node)))
          .contains("node = " + node)
          .contains("attestation = " + attestor)
          .contains("server.url = " + cluster.hpcsServerUrl());
    }
  }

  private static SSLContext trusting(TestCluster cluster) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (InputStream in = Files.newInputStream(cluster.hpcsServerCa())) {
      int index = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + index++, cert);
      }
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
