package org.hpcs.common.crypto;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import javax.security.auth.DestroyFailedException;

/**
 * Writes the payload of an age v1 file after its header: the plaintext cut into 64 KiB chunks, each
 * sealed with ChaCha20-Poly1305 under the payload key and the nonce {@link ChunkSealer} describes.
 * The last chunk carries the last-chunk flag; it is empty only for an empty plaintext.
 *
 * <p>Plaintext is collected in batches of {@value #BATCH_CHUNKS} chunks. Batches are sealed on up
 * to two worker threads and written to the output in order by the caller's thread, so the output is
 * byte for byte what a sequential writer would produce. A batch is sealed only once a later byte
 * shows that none of its chunks is the last one, or when the channel is closed.
 */
final class PayloadEncryptingChannel implements WritableByteChannel {
  static final int BATCH_CHUNKS = 16;
  private static final int BATCH_BYTES = BATCH_CHUNKS * PayloadChannel.PLAIN_CHUNK;

  /** Cap on sealing threads: two roughly double throughput, and more would crowd shared hosts. */
  private static final int MAX_WORKERS = 2;

  private final WritableByteChannel out;
  private final SecretKey payloadKey;
  private final ExecutorService workers;
  private final int maxInFlight;
  private final Deque<Future<Batch>> inFlight = new ArrayDeque<>();
  private final Deque<Batch> spare = new ArrayDeque<>();
  private Batch current;
  private long nextChunk;
  private boolean open = true;
  private boolean failed;

  /**
   * Creates a channel that seals into {@code out}, which must already hold the age header.
   *
   * @param payloadKey the key derived from the file key and the payload nonce; destroyed on close
   */
  PayloadEncryptingChannel(WritableByteChannel out, SecretKey payloadKey) {
    this.out = out;
    this.payloadKey = payloadKey;
    int threads = Math.min(MAX_WORKERS, Runtime.getRuntime().availableProcessors());
    this.workers = threads > 1 ? newWorkers(threads) : null;
    this.maxInFlight = 2 * threads;
    this.current = new Batch();
  }

  @Override
  public int write(ByteBuffer source) throws IOException {
    if (!open) {
      throw new ClosedChannelException();
    }
    int count = source.remaining();
    try {
      while (source.hasRemaining()) {
        if (current.plainLength == BATCH_BYTES) {
          submit(false);
        }
        int take = Math.min(source.remaining(), BATCH_BYTES - current.plainLength);
        source.get(current.plain, current.plainLength, take);
        current.plainLength += take;
      }
    } catch (IOException | RuntimeException e) {
      // A batch may be lost. Later batches must not follow it, and no last chunk either.
      failed = true;
      throw e;
    }
    return count;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  /**
   * Seals and writes the last chunk, then closes the output. After a failed write it only closes
   * the output, like {@link #abort()}.
   */
  @Override
  public void close() throws IOException {
    if (!open) {
      return;
    }
    if (failed) {
      abort();
      return;
    }
    open = false;
    try {
      submit(true);
      while (!inFlight.isEmpty()) {
        writeOldest();
      }
    } finally {
      release();
      out.close();
    }
  }

  /**
   * Closes the output without writing the last chunk, so that what was written so far can never
   * decrypt as a complete file. For callers that failed before all plaintext was written.
   */
  void abort() throws IOException {
    if (!open) {
      return;
    }
    open = false;
    try {
      release();
    } finally {
      out.close();
    }
  }

  private void submit(boolean last) throws IOException {
    Batch batch = current;
    batch.firstChunk = nextChunk;
    batch.last = last;
    nextChunk += batch.chunkCount();
    current = spare.isEmpty() ? new Batch() : spare.pop();
    current.plainLength = 0;
    if (workers == null) {
      sealChecked(batch);
      writeSealed(batch);
      return;
    }
    inFlight.add(workers.submit(() -> seal(batch)));
    while (inFlight.size() > maxInFlight) {
      writeOldest();
    }
  }

  private void writeOldest() throws IOException {
    Future<Batch> oldest = inFlight.remove();
    Batch batch;
    try {
      batch = oldest.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while encrypting the age payload");
    } catch (ExecutionException e) {
      throw new IOException("age payload chunk could not be encrypted", e.getCause());
    }
    writeSealed(batch);
  }

  private void writeSealed(Batch batch) throws IOException {
    ByteBuffer sealed = ByteBuffer.wrap(batch.sealed, 0, batch.sealedLength);
    while (sealed.hasRemaining()) {
      out.write(sealed);
    }
    spare.push(batch);
  }

  private void sealChecked(Batch batch) throws IOException {
    try {
      seal(batch);
    } catch (GeneralSecurityException e) {
      throw new IOException("age payload chunk could not be encrypted", e);
    }
  }

  private Batch seal(Batch batch) throws GeneralSecurityException {
    ChunkSealer sealer = new ChunkSealer(payloadKey);
    int chunks = batch.chunkCount();
    int sealedLength = 0;
    for (int i = 0; i < chunks; i++) {
      int offset = i * PayloadChannel.PLAIN_CHUNK;
      int length = Math.min(PayloadChannel.PLAIN_CHUNK, batch.plainLength - offset);
      boolean lastChunk = batch.last && i == chunks - 1;
      sealedLength +=
          sealer.seal(
              batch.firstChunk + i,
              lastChunk,
              batch.plain,
              offset,
              length,
              batch.sealed,
              sealedLength);
    }
    batch.sealedLength = sealedLength;
    return batch;
  }

  private void release() {
    if (workers != null) {
      for (Future<Batch> pending : inFlight) {
        pending.cancel(false);
      }
      workers.shutdown();
    }
    inFlight.clear();
    try {
      payloadKey.destroy();
    } catch (DestroyFailedException e) {
      // Keys that cannot be destroyed are dropped with this channel.
    }
  }

  private static ExecutorService newWorkers(int threads) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            1,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            Thread.ofPlatform().daemon().name("age-encrypt-", 0).factory());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Plaintext of up to {@value #BATCH_CHUNKS} chunks and room for their ciphertext. */
  private static final class Batch {
    final byte[] plain = new byte[BATCH_BYTES];
    final byte[] sealed = new byte[BATCH_BYTES + BATCH_CHUNKS * ChunkSealer.TAG_LENGTH];
    int plainLength;
    int sealedLength;
    long firstChunk;
    boolean last;

    /** Returns the number of chunks: whole ones only unless this is the last batch, then >= 1. */
    int chunkCount() {
      int whole = plainLength / PayloadChannel.PLAIN_CHUNK;
      if (!last) {
        return whole;
      }
      return plainLength % PayloadChannel.PLAIN_CHUNK == 0 ? Math.max(1, whole) : whole + 1;
    }
  }
}
