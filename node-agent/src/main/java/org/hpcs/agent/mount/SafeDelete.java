package org.hpcs.agent.mount;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Deletes a directory tree relative to open directory handles ({@code openat}/{@code unlinkat}
 * through {@link SecureDirectoryStream}), so a job user who swaps a directory for a symbolic link
 * during the walk cannot make the root agent delete files elsewhere.
 */
final class SafeDelete {
  private SafeDelete() {}

  /** Deletes {@code path} and everything below it; does nothing if it does not exist. */
  static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(path);
      return;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(path)) {
      if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
        throw new IOException("No secure directory stream for " + path + " on this platform");
      }
      deleteContents(secure);
    }
    Files.delete(path);
  }

  private static void deleteContents(SecureDirectoryStream<Path> dir) throws IOException {
    for (Path entry : dir) {
      Path name = entry.getFileName();
      BasicFileAttributes attributes =
          dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
              .readAttributes();
      if (attributes.isDirectory()) {
        try (SecureDirectoryStream<Path> child =
            dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
          deleteContents(child);
        }
        dir.deleteDirectory(name);
      } else {
        dir.deleteFile(name);
      }
    }
  }
}
