package org.hpcs.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.hpcs.server.vault.VaultClient;
import org.hpcs.server.vault.VaultException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's own Vault token, read from its file. {@link #refresh} reads the file again, so a
 * rotated token takes effect without a restart, and renews the token so that a renewable token does
 * not expire while the server runs.
 */
final class ServerToken implements Supplier<String> {
  private static final Logger LOG = LoggerFactory.getLogger(ServerToken.class);

  private final Path file;
  private final AtomicReference<String> current;

  ServerToken(Path file) throws IOException {
    this.file = file;
    this.current = new AtomicReference<>(SecretFiles.read(file, "vault.tokenFile"));
  }

  @Override
  public String get() {
    return current.get();
  }

  /** Reads the token file again and renews the token. It logs failures and does not throw. */
  void refresh(VaultClient vault) {
    try {
      current.set(SecretFiles.read(file, "vault.tokenFile"));
    } catch (IOException e) {
      LOG.error("cannot read the Vault token again, keeping the current one: {}", e.getMessage());
    }
    try {
      vault.renewSelf();
    } catch (VaultException e) {
      LOG.warn("cannot renew the server's Vault token: {}", e.getMessage());
    }
  }
}
