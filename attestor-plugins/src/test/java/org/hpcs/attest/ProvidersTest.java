package org.hpcs.attest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ProvidersTest {
  @Test
  void serviceLoader_findsHardwareAttestors() {
    var names =
        ServiceLoader.load(AttestorProvider.class).stream()
            .map(provider -> provider.get().name())
            .toList();

    assertThat(names).contains("tpm-devid", "sev-snp");
  }
}
