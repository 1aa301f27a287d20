package org.hpcs.agent.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeDeleteTest {
  @TempDir Path dir;

  @Test
  void deleteTree_symlinkToOutside_removesLinkNotTarget() throws Exception {
    Path outside = Files.createDirectory(dir.resolve("outside"));
    Path retained = Files.writeString(outside.resolve("keep.txt"), "keep");
    Path tree = Files.createDirectories(dir.resolve("tree/sub"));
    Files.writeString(tree.resolve("file"), "x");
    Files.createSymbolicLink(tree.resolve("link"), outside);

    SafeDelete.deleteTree(dir.resolve("tree"));

    assertThat(dir.resolve("tree")).doesNotExist();
    assertThat(retained).hasContent("keep");
  }

  @Test
  void deleteTree_missingPath_doesNothing() throws Exception {
    SafeDelete.deleteTree(dir.resolve("missing"));

    assertThat(dir).exists();
  }
}
