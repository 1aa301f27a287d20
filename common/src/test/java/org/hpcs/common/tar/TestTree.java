package org.hpcs.common.tar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Lists directory entries for assertions. */
final class TestTree {
  private TestTree() {}

  static List<String> list(Path directory) throws IOException {
    try (Stream<Path> stream = Files.list(directory)) {
      return stream.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
