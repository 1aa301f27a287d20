package org.hpcs.common.bundle;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SifImagesTest {
  @TempDir Path dir;

  @Test
  void check_directory_rejectedAsNotRegularFile() {
    assertThatThrownBy(() -> SifImages.check(dir))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(dir + " is not a SIF image: it is not a regular file");
  }

  @Test
  void check_plainFile_rejectedWithMagicOffset() throws Exception {
    Path file = Files.write(dir.resolve("image.sif"), new byte[4096]);

    assertThatThrownBy(() -> SifImages.check(file))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(file + " is not a SIF image: no SIF_MAGIC at byte");
  }
}
