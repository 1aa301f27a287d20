package org.hpcs.agent.socket;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.hpcs.agent.protocol.WireCodec;

/**
 * Sends one job_end request to an agent socket and prints the reply payload. The credential test
 * runs it as another user through runuser.
 */
public final class SocketProbe {
  private SocketProbe() {}

  /** Connects to args[0], sends job_end for node args[1], prints the reply or "closed". */
  public static void main(String[] args) throws Exception {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(args[0]));
      ByteBuffer request =
          ByteBuffer.wrap(WireCodec.encode(Map.of("op", "job_end", "job", "1", "node", args[1])));
      while (request.hasRemaining()) {
        channel.write(request);
      }
      byte[] reply = WireCodec.readFrame(channel);
      System.out.println(
          reply == null ? "closed" : new String(reply, StandardCharsets.UTF_8).replace('\n', ' '));
    }
  }
}
