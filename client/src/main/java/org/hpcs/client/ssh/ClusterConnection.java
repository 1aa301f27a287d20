package org.hpcs.client.ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpException;
import org.hpcs.client.HpcsException;
import org.hpcs.client.config.ClientConfig;
import org.hpcs.client.config.ConfigLoader;
import org.hpcs.common.crypto.Sha256;

/**
 * An SSH session to the cluster's login node with Apache MINA SSHD: the host key must be in the
 * configured known_hosts file and login is by key only. It uploads files over SFTP (a partial
 * upload is resumed after its prefix digest matches, and the finished file is checked with {@code
 * sha256sum} on the remote side before it gets its final name), reads remote files and runs
 * commands.
 */
public final class ClusterConnection implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int COPY_BUFFER = 1 << 20;

  /**
   * Size of one SFTP read or write request. OpenSSH's sftp-server closes the session on a message
   * over 256 KiB (SFTP_MAX_MSG_LENGTH in its sftp-common.h), so requests stay well below it.
   */
  private static final int SFTP_REQUEST = 64 * 1024;

  private final SshClient client;
  private final ClientSession session;
  private final SftpClient sftp;
  private final String target;

  private ClusterConnection(
      SshClient client, ClientSession session, SftpClient sftp, String target) {
    this.client = client;
    this.session = session;
    this.sftp = sftp;
    this.target = target;
  }

  /**
   * Connects with the {@code ssh.*} settings of the configuration.
   *
   * @param command the hpcs command, for the message about missing settings
   */
  public static ClusterConnection open(ClientConfig config, String command)
      throws HpcsException, IOException {
    ConfigLoader.require(
        config,
        command,
        "ssh.host",
        config.sshHost(),
        "ssh.user",
        config.sshUser(),
        "ssh.key",
        config.sshKey(),
        "ssh.known-hosts",
        config.sshKnownHosts());
    return connect(
        config.sshHost().get(),
        config.sshPort(),
        config.sshUser().get(),
        config.sshKey().get(),
        config.sshKnownHosts().get());
  }

  /** Connects and authenticates, after checking the key file's format. */
  public static ClusterConnection connect(
      String host, int port, String user, Path keyFile, Path knownHosts)
      throws HpcsException, IOException {
    SshKeyFormat.check(keyFile);
    if (!Files.isRegularFile(knownHosts)) {
      throw new HpcsException(
          "known_hosts file %s not found".formatted(knownHosts),
          "get the cluster's host key from its admins and set ssh.known-hosts");
    }
    String target = "%s@%s:%d".formatted(user, host, port);
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(
        new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, knownHosts));
    client.start();
    try {
      ClientSession session = client.connect(user, host, port).verify(TIMEOUT).getSession();
      for (KeyPair pair : loadKeys(session, keyFile)) {
        session.addPublicKeyIdentity(pair);
      }
      session.auth().verify(TIMEOUT);
      SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
      return new ClusterConnection(client, session, sftp, target);
    } catch (IOException e) {
      client.stop();
      throw new HpcsException(
          "SSH connection to %s failed: %s".formatted(target, e.getMessage()),
          e,
          "check ssh.host, ssh.port, ssh.user, that the key is authorised there, and that"
              + " known_hosts lists the host key for ["
              + host
              + "]:"
              + port);
    }
  }

  private static Iterable<KeyPair> loadKeys(ClientSession session, Path keyFile)
      throws HpcsException, IOException {
    try (InputStream in = Files.newInputStream(keyFile)) {
      Iterable<KeyPair> keys =
          SecurityUtils.loadKeyPairIdentities(
              session, NamedResource.ofName(keyFile.toString()), in, null);
      if (keys == null || !keys.iterator().hasNext()) {
        throw new HpcsException("SSH key %s holds no usable private key".formatted(keyFile));
      }
      return keys;
    } catch (java.security.GeneralSecurityException e) {
      throw new HpcsException(
          "SSH key %s cannot be loaded (%s)".formatted(keyFile, e.getClass().getSimpleName()), e);
    }
  }

  /** Creates the remote directory and its parents when missing. */
  public void makeDirectories(String directory) throws IOException {
    String current = "";
    for (String part : directory.split("/", -1)) {
      if (part.isEmpty()) {
        current = current.isEmpty() ? "/" : current;
        continue;
      }
      current = current.isEmpty() || current.equals("/") ? current + part : current + "/" + part;
      if (!exists(current)) {
        sftp.mkdir(current);
      }
    }
  }

  /**
   * Uploads {@code local} to {@code remote}, resuming from {@code remote + ".part"} when its bytes
   * are a prefix of the local file, then checks the remote SHA-256 and renames it into place.
   *
   * @param progress receives the absolute uploaded position
   * @return the byte offset at which an earlier partial upload was resumed, or 0
   * @throws HpcsException if the remote digest differs from {@code expectedSha256}
   */
  public long upload(Path local, String remote, String expectedSha256, LongConsumer progress)
      throws HpcsException, IOException {
    String partial = remote + ".part";
    long offset = resumableOffset(local, partial);
    progress.accept(offset);
    EnumSet<OpenMode> modes =
        offset > 0
            ? EnumSet.of(OpenMode.Write, OpenMode.Append)
            : EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
    try (InputStream in = Files.newInputStream(local);
        OutputStream out = sftp.write(partial, SFTP_REQUEST, modes)) {
      in.skipNBytes(offset);
      copy(in, out, offset, progress);
    }
    String actual = remoteSha256(partial, -1);
    if (!actual.equals(expectedSha256)) {
      sftp.remove(partial);
      throw new HpcsException(
          "uploaded %s:%s has SHA-256 %s but the manifest records %s; the partial file was removed"
              .formatted(target, partial, actual, expectedSha256),
          "run hpcs bundle ship again");
    }
    replace(partial, remote);
    return offset;
  }

  /**
   * Runs a shell command on the cluster and returns its standard output.
   *
   * @throws IOException if the command cannot run or exits with a non-zero status
   */
  public String execute(String command) throws IOException {
    return session.executeRemoteCommand(command);
  }

  /**
   * Runs a command on the cluster and returns its exit status and output, also when the status is
   * not zero.
   *
   * @throws IOException if the command cannot be started or does not finish within {@code timeout}
   */
  public RemoteResult run(String command, Duration timeout) throws IOException {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    try (ChannelExec channel = session.createExecChannel(command)) {
      channel.setOut(stdout);
      channel.setErr(stderr);
      channel.open().verify(TIMEOUT);
      Set<ClientChannelEvent> events =
          channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
      if (events.contains(ClientChannelEvent.TIMEOUT)) {
        throw new IOException(
            "command on %s did not finish within %d s".formatted(target, timeout.toSeconds()));
      }
      Integer status = channel.getExitStatus();
      return new RemoteResult(
          status == null ? -1 : status,
          stdout.toString(StandardCharsets.UTF_8),
          stderr.toString(StandardCharsets.UTF_8));
    }
  }

  /** Returns the absolute remote path of {@code path}, resolved by the SFTP server. */
  public String absolutePath(String path) throws IOException {
    return sftp.canonicalPath(path);
  }

  /** Returns the size of a remote regular file, or empty when it does not exist. */
  public Optional<Long> size(String remote) throws IOException {
    try {
      SftpClient.Attributes attributes = sftp.stat(remote);
      return attributes.isRegularFile() ? Optional.of(attributes.getSize()) : Optional.empty();
    } catch (SftpException e) {
      return Optional.empty();
    }
  }

  /** Returns the names of the entries of a remote directory, without {@code .} and {@code ..}. */
  public List<String> list(String directory) throws IOException {
    List<String> names = new ArrayList<>();
    for (SftpClient.DirEntry entry : sftp.readDir(directory)) {
      String name = entry.getFilename();
      if (!name.equals(".") && !name.equals("..")) {
        names.add(name);
      }
    }
    return names;
  }

  /** Removes a remote file when it exists. */
  public void remove(String remote) throws IOException {
    if (exists(remote)) {
      sftp.remove(remote);
    }
  }

  /** Opens a remote file for reading. */
  public InputStream read(String remote) throws IOException {
    return sftp.read(remote, SFTP_REQUEST);
  }

  /** Renames over an existing file: posix-rename where the server has it (OpenSSH does). */
  private void replace(String source, String target) throws IOException {
    OpenSSHPosixRenameExtension posixRename = sftp.getExtension(OpenSSHPosixRenameExtension.class);
    if (posixRename.isSupported()) {
      posixRename.posixRename(source, target);
      return;
    }
    if (exists(target)) {
      sftp.remove(target);
    }
    sftp.rename(source, target);
  }

  /** Returns the remote SHA-256 of the first {@code length} bytes, or of all when negative. */
  public String remoteSha256(String remote, long length) throws HpcsException, IOException {
    String quoted = "'" + remote.replace("'", "'\\''") + "'";
    String command =
        length < 0
            ? "sha256sum -- " + quoted
            : "head -c " + length + " -- " + quoted + " | sha256sum";
    String output;
    try {
      output = execute(command);
    } catch (IOException e) {
      throw new HpcsException(
          "running sha256sum on %s failed: %s".formatted(target, e.getMessage()),
          e,
          "the cluster login node needs coreutils' sha256sum");
    }
    String digest = output.strip().split("\\s+", 2)[0];
    if (!digest.matches("[0-9a-f]{64}")) {
      throw new HpcsException("sha256sum on %s printed no digest for %s".formatted(target, remote));
    }
    return digest;
  }

  private long resumableOffset(Path local, String partial) throws HpcsException, IOException {
    if (!exists(partial)) {
      return 0;
    }
    long remoteSize = sftp.stat(partial).getSize();
    if (remoteSize <= 0 || remoteSize > Files.size(local)) {
      return 0;
    }
    String remoteDigest = remoteSha256(partial, remoteSize);
    return remoteDigest.equals(localPrefixSha256(local, remoteSize)) ? remoteSize : 0;
  }

  private static String localPrefixSha256(Path local, long length) throws IOException {
    MessageDigest digest = Sha256.newDigest();
    byte[] buffer = new byte[COPY_BUFFER];
    try (InputStream in = Files.newInputStream(local)) {
      long remaining = length;
      while (remaining > 0) {
        int read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
        if (read < 0) {
          break;
        }
        digest.update(buffer, 0, read);
        remaining -= read;
      }
    }
    return Sha256.hex(digest.digest());
  }

  private static void copy(InputStream in, OutputStream out, long start, LongConsumer progress)
      throws IOException {
    byte[] buffer = new byte[COPY_BUFFER];
    long position = start;
    int read;
    while ((read = in.read(buffer)) >= 0) {
      out.write(buffer, 0, read);
      position += read;
      progress.accept(position);
    }
  }

  private boolean exists(String path) throws IOException {
    try {
      sftp.stat(path);
      return true;
    } catch (SftpException e) {
      return false;
    }
  }

  /** Returns user@host:port for messages. */
  public String target() {
    return target;
  }

  @Override
  public void close() throws IOException {
    try {
      sftp.close();
      session.close();
    } finally {
      client.stop();
    }
  }
}
