package org.hpcs.attest.tpmdevid.tss;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * An ESAPI connection to one TPM. Structures go in and out in TPM wire format. Every transient
 * object and session this class creates is flushed before the method returns, because without a
 * resource manager (swtpm, {@code /dev/tpm0}) leftover objects fill the TPM's few slots. Not
 * thread-safe.
 */
public final class TpmContext implements AutoCloseable {
  private static final int TPM2_RC_HANDLE = 0x08B;
  private static final int TPM2_RC_FMT1 = 0x080;
  private static final int LAYER_MASK = 0xFFFF0000;
  private static final byte TPM2_SE_POLICY = 0x01;
  private static final short TPM2_ALG_SHA256 = 0x000B;
  private static final int TPM2_CAP_TPM_PROPERTIES = 6;
  private static final int TPM2_PT_NV_BUFFER_MAX = 0x12C;
  private static final byte[] SYM_DEF_NULL = {0x00, 0x10};
  private static final byte[] EMPTY_SENSITIVE = {0x00, 0x04, 0x00, 0x00, 0x00, 0x00};
  private static final byte[] EMPTY_DATA = {0x00, 0x00};
  private static final byte[] NO_PCRS = {0x00, 0x00, 0x00, 0x00};
  private static final byte[] ECDSA_SHA256_SCHEME = {0x00, 0x18, 0x00, 0x0B};
  private static final byte[] NULL_HASHCHECK = {(byte) 0x80, 0x24, 0x40, 0x00, 0x00, 0x07, 0, 0};

  private final Tss tss;
  private final String tctiConfig;
  private final PointerByReference tcti;
  private final PointerByReference esys;

  private TpmContext(Tss tss, String tctiConfig, PointerByReference tcti, PointerByReference esys) {
    this.tss = tss;
    this.tctiConfig = tctiConfig;
    this.tcti = tcti;
    this.esys = esys;
  }

  /**
   * Connects to a TPM.
   *
   * @param tctiConfig a TCTI string such as {@code device:/dev/tpmrm0} or {@code
   *     swtpm:host=127.0.0.1,port=2321}
   * @throws TpmException when the libraries are missing or the TPM cannot be reached
   */
  public static TpmContext open(String tctiConfig) throws TpmException {
    Objects.requireNonNull(tctiConfig, "tctiConfig must not be null");
    Tss tss = Tss.load();
    PointerByReference tcti = new PointerByReference();
    tss.check(
        tss.tcti.Tss2_TctiLdr_Initialize(tctiConfig, tcti),
        "connecting to the TPM with TCTI '" + tctiConfig + "'");
    PointerByReference esys = new PointerByReference();
    int rc = tss.esys.Esys_Initialize(esys, tcti.getValue(), Pointer.NULL);
    if (rc != 0) {
      tss.tcti.Tss2_TctiLdr_Finalize(tcti);
      tss.check(rc, "initializing ESAPI on TCTI '" + tctiConfig + "'");
    }
    return new TpmContext(tss, tctiConfig, tcti, esys);
  }

  /** Returns the TCTI string this context was opened with. */
  public String tcti() {
    return tctiConfig;
  }

  /** Returns true when a persistent object exists at {@code handle}. */
  public boolean persistentExists(int handle) throws TpmException {
    IntByReference object = new IntByReference();
    int rc = fromTpmPublic(handle, object);
    if (rc == 0) {
      close(object);
      return true;
    }
    if (isHandleError(rc)) {
      return false;
    }
    tss.check(rc, "looking up handle " + hex(handle));
    return false;
  }

  /** Returns the TPMT_PUBLIC of the persistent object at {@code handle}, in wire format. */
  public byte[] readPublic(int handle) throws TpmException {
    IntByReference object = persistent(handle);
    try {
      return readPublicOf(object.getValue(), handle);
    } finally {
      close(object);
    }
  }

  /**
   * Returns the TPMT_PUBLIC of the endorsement key: the persistent one at {@code handle} if it
   * exists, otherwise one created from {@code template} (TPMT_PUBLIC) and flushed again.
   */
  public byte[] readEndorsementPublic(int handle, byte[] template) throws TpmException {
    if (persistentExists(handle)) {
      return readPublic(handle);
    }
    int ek = createPrimary(Esys.ESYS_TR_RH_ENDORSEMENT, template);
    try {
      return readPublicOf(ek, handle);
    } finally {
      flush(ek);
    }
  }

  /**
   * Signs a digest with a persistent ECDSA key.
   *
   * @param handle the persistent handle of the key
   * @param sha256Digest 32 bytes
   * @return the TPMT_SIGNATURE in wire format
   */
  public byte[] signEcdsaSha256(int handle, byte[] sha256Digest) throws TpmException {
    if (sha256Digest.length != 32) {
      throw new IllegalArgumentException("a SHA-256 digest has 32 bytes");
    }
    IntByReference key = persistent(handle);
    try (Memory digest = tss.mu.toNative("TPM2B_DIGEST", tpm2b(sha256Digest));
        Memory scheme = tss.mu.toNative("TPMT_SIG_SCHEME", ECDSA_SHA256_SCHEME);
        Memory validation = tss.mu.toNative("TPMT_TK_HASHCHECK", NULL_HASHCHECK)) {
      PointerByReference signature = new PointerByReference();
      tss.check(
          tss.esys.Esys_Sign(
              context(),
              key.getValue(),
              Esys.ESYS_TR_PASSWORD,
              Esys.ESYS_TR_NONE,
              Esys.ESYS_TR_NONE,
              digest,
              scheme,
              validation,
              signature),
          "signing with key " + hex(handle));
      return takeWire("TPMT_SIGNATURE", signature);
    } finally {
      close(key);
    }
  }

  /**
   * Runs TPM2_ActivateCredential: recovers the secret that the verifier encrypted to the
   * endorsement key for the object at {@code objectHandle}.
   *
   * @param objectHandle persistent handle of the object the credential names (the DevID key)
   * @param ekHandle persistent handle of the endorsement key, used if it exists
   * @param ekTemplate TPMT_PUBLIC used to create the endorsement key when no persistent one exists
   * @param credentialBlob TPM2B_ID_OBJECT in wire format
   * @param encryptedSecret TPM2B_ENCRYPTED_SECRET in wire format
   * @return the recovered secret
   */
  public byte[] activateCredential(
      int objectHandle,
      int ekHandle,
      byte[] ekTemplate,
      byte[] credentialBlob,
      byte[] encryptedSecret)
      throws TpmException {
    IntByReference object = persistent(objectHandle);
    boolean ekPersistent = persistentExists(ekHandle);
    int ek =
        ekPersistent
            ? persistent(ekHandle).getValue()
            : createPrimary(Esys.ESYS_TR_RH_ENDORSEMENT, ekTemplate);
    int session = Esys.ESYS_TR_NONE;
    try (Memory blob = tss.mu.toNative("TPM2B_ID_OBJECT", credentialBlob);
        Memory secret = tss.mu.toNative("TPM2B_ENCRYPTED_SECRET", encryptedSecret)) {
      session = endorsementPolicySession();
      PointerByReference certInfo = new PointerByReference();
      tss.check(
          tss.esys.Esys_ActivateCredential(
              context(),
              object.getValue(),
              ek,
              Esys.ESYS_TR_PASSWORD,
              session,
              Esys.ESYS_TR_NONE,
              blob,
              secret,
              certInfo),
          "activating the credential for key " + hex(objectHandle));
      return unwrap2b(takeWire("TPM2B_DIGEST", certInfo));
    } finally {
      flushQuietly(session);
      if (ekPersistent) {
        close(new IntByReference(ek));
      } else {
        flushQuietly(ek);
      }
      close(object);
    }
  }

  /** Returns the contents of an NV index, or empty when the index is not defined. */
  public Optional<byte[]> readNvIndex(int nvIndex) throws TpmException {
    IntByReference index = new IntByReference();
    int rc = fromTpmPublic(nvIndex, index);
    if (isHandleError(rc)) {
      return Optional.empty();
    }
    tss.check(rc, "looking up NV index " + hex(nvIndex));
    try {
      int size = nvDataSize(index.getValue(), nvIndex);
      int chunk = nvBufferMax();
      ByteArrayOutputStream out = new ByteArrayOutputStream(size);
      for (int offset = 0; offset < size; offset += chunk) {
        int length = Math.min(chunk, size - offset);
        PointerByReference data = new PointerByReference();
        tss.check(
            tss.esys.Esys_NV_Read(
                context(),
                index.getValue(),
                index.getValue(),
                Esys.ESYS_TR_PASSWORD,
                Esys.ESYS_TR_NONE,
                Esys.ESYS_TR_NONE,
                (short) length,
                (short) offset,
                data),
            "reading NV index " + hex(nvIndex));
        out.writeBytes(unwrap2b(takeWire("TPM2B_MAX_NV_BUFFER", data)));
      }
      return Optional.of(out.toByteArray());
    } finally {
      close(index);
    }
  }

  /**
   * Creates a key under a primary storage key and makes it persistent.
   *
   * @param parentTemplate TPMT_PUBLIC of the primary key in the owner hierarchy (the SRK)
   * @param keyTemplate TPMT_PUBLIC of the new key
   * @param persistentHandle where to persist the key
   * @return the TPMT_PUBLIC of the new key
   */
  public byte[] createPersistentKey(byte[] parentTemplate, byte[] keyTemplate, int persistentHandle)
      throws TpmException {
    int parent = createPrimary(Esys.ESYS_TR_RH_OWNER, parentTemplate);
    int loaded = Esys.ESYS_TR_NONE;
    try (Memory sensitive = tss.mu.toNative("TPM2B_SENSITIVE_CREATE", EMPTY_SENSITIVE);
        Memory inPublic = tss.mu.toNative("TPM2B_PUBLIC", tpm2b(keyTemplate));
        Memory outside = tss.mu.toNative("TPM2B_DATA", EMPTY_DATA);
        Memory pcrs = tss.mu.toNative("TPML_PCR_SELECTION", NO_PCRS)) {
      PointerByReference outPrivate = new PointerByReference();
      PointerByReference outPublic = new PointerByReference();
      PointerByReference[] unused = unusedOutputs(3);
      tss.check(
          tss.esys.Esys_Create(
              context(),
              parent,
              Esys.ESYS_TR_PASSWORD,
              Esys.ESYS_TR_NONE,
              Esys.ESYS_TR_NONE,
              sensitive,
              inPublic,
              outside,
              pcrs,
              outPrivate,
              outPublic,
              unused[0],
              unused[1],
              unused[2]),
          "creating a key under the storage root key");
      freeAll(unused);
      loaded = load(parent, outPrivate, outPublic);
      IntByReference persisted = new IntByReference();
      tss.check(
          tss.esys.Esys_EvictControl(
              context(),
              Esys.ESYS_TR_RH_OWNER,
              loaded,
              Esys.ESYS_TR_PASSWORD,
              Esys.ESYS_TR_NONE,
              Esys.ESYS_TR_NONE,
              persistentHandle,
              persisted),
          "persisting the key at " + hex(persistentHandle));
      try {
        return readPublicOf(persisted.getValue(), persistentHandle);
      } finally {
        close(persisted);
      }
    } finally {
      flushQuietly(loaded);
      flushQuietly(parent);
    }
  }

  /** Removes the persistent object at {@code handle} (owner authorization, empty password). */
  public void evictPersistent(int handle) throws TpmException {
    IntByReference object = persistent(handle);
    IntByReference none = new IntByReference();
    tss.check(
        tss.esys.Esys_EvictControl(
            context(),
            Esys.ESYS_TR_RH_OWNER,
            object.getValue(),
            Esys.ESYS_TR_PASSWORD,
            Esys.ESYS_TR_NONE,
            Esys.ESYS_TR_NONE,
            handle,
            none),
        "removing the persistent object at " + hex(handle));
  }

  @Override
  public void close() {
    tss.esys.Esys_Finalize(esys);
    tss.tcti.Tss2_TctiLdr_Finalize(tcti);
  }

  private int createPrimary(int hierarchy, byte[] template) throws TpmException {
    try (Memory sensitive = tss.mu.toNative("TPM2B_SENSITIVE_CREATE", EMPTY_SENSITIVE);
        Memory inPublic = tss.mu.toNative("TPM2B_PUBLIC", tpm2b(template));
        Memory outside = tss.mu.toNative("TPM2B_DATA", EMPTY_DATA);
        Memory pcrs = tss.mu.toNative("TPML_PCR_SELECTION", NO_PCRS)) {
      IntByReference object = new IntByReference();
      PointerByReference[] unused = unusedOutputs(4);
      tss.check(
          tss.esys.Esys_CreatePrimary(
              context(),
              hierarchy,
              Esys.ESYS_TR_PASSWORD,
              Esys.ESYS_TR_NONE,
              Esys.ESYS_TR_NONE,
              sensitive,
              inPublic,
              outside,
              pcrs,
              object,
              unused[0],
              unused[1],
              unused[2],
              unused[3]),
          "creating a primary key in hierarchy " + hex(hierarchy));
      freeAll(unused);
      return object.getValue();
    }
  }

  private int load(int parent, PointerByReference outPrivate, PointerByReference outPublic)
      throws TpmException {
    try {
      IntByReference object = new IntByReference();
      tss.check(
          tss.esys.Esys_Load(
              context(),
              parent,
              Esys.ESYS_TR_PASSWORD,
              Esys.ESYS_TR_NONE,
              Esys.ESYS_TR_NONE,
              outPrivate.getValue(),
              outPublic.getValue(),
              object),
          "loading the new key");
      return object.getValue();
    } finally {
      tss.esys.Esys_Free(outPrivate.getValue());
      tss.esys.Esys_Free(outPublic.getValue());
    }
  }

  /** Starts a policy session satisfied by PolicySecret(TPM_RH_ENDORSEMENT), as an EK requires. */
  private int endorsementPolicySession() throws TpmException {
    IntByReference session = new IntByReference();
    try (Memory symmetric = tss.mu.toNative("TPMT_SYM_DEF", SYM_DEF_NULL)) {
      tss.check(
          tss.esys.Esys_StartAuthSession(
              context(),
              Esys.ESYS_TR_NONE,
              Esys.ESYS_TR_NONE,
              Esys.ESYS_TR_NONE,
              Esys.ESYS_TR_NONE,
              Esys.ESYS_TR_NONE,
              Pointer.NULL,
              TPM2_SE_POLICY,
              symmetric,
              TPM2_ALG_SHA256,
              session),
          "starting a policy session");
    }
    PointerByReference[] unused = unusedOutputs(2);
    int rc =
        tss.esys.Esys_PolicySecret(
            context(),
            Esys.ESYS_TR_RH_ENDORSEMENT,
            session.getValue(),
            Esys.ESYS_TR_PASSWORD,
            Esys.ESYS_TR_NONE,
            Esys.ESYS_TR_NONE,
            Pointer.NULL,
            Pointer.NULL,
            Pointer.NULL,
            0,
            unused[0],
            unused[1]);
    freeAll(unused);
    if (rc != 0) {
      flushQuietly(session.getValue());
      tss.check(rc, "PolicySecret on the endorsement hierarchy");
    }
    return session.getValue();
  }

  private byte[] readPublicOf(int object, int handle) throws TpmException {
    PointerByReference outPublic = new PointerByReference();
    PointerByReference[] unused = unusedOutputs(2);
    tss.check(
        tss.esys.Esys_ReadPublic(
            context(),
            object,
            Esys.ESYS_TR_NONE,
            Esys.ESYS_TR_NONE,
            Esys.ESYS_TR_NONE,
            outPublic,
            unused[0],
            unused[1]),
        "reading the public area of " + hex(handle));
    freeAll(unused);
    return unwrap2b(takeWire("TPM2B_PUBLIC", outPublic));
  }

  private int nvDataSize(int index, int nvIndex) throws TpmException {
    PointerByReference nvPublic = new PointerByReference();
    PointerByReference[] unused = unusedOutputs(1);
    tss.check(
        tss.esys.Esys_NV_ReadPublic(
            context(),
            index,
            Esys.ESYS_TR_NONE,
            Esys.ESYS_TR_NONE,
            Esys.ESYS_TR_NONE,
            nvPublic,
            unused[0]),
        "reading the public area of NV index " + hex(nvIndex));
    freeAll(unused);
    byte[] wire = takeWire("TPM2B_NV_PUBLIC", nvPublic);
    // TPMS_NV_PUBLIC: nvIndex u32, nameAlg u16, attributes u32, authPolicy TPM2B, dataSize u16
    ByteBuffer buffer = ByteBuffer.wrap(wire, 2, wire.length - 2);
    buffer.position(buffer.position() + 10);
    int policySize = Short.toUnsignedInt(buffer.getShort());
    buffer.position(buffer.position() + policySize);
    return Short.toUnsignedInt(buffer.getShort());
  }

  private int nvBufferMax() throws TpmException {
    PointerByReference data = new PointerByReference();
    tss.check(
        tss.esys.Esys_GetCapability(
            context(),
            Esys.ESYS_TR_NONE,
            Esys.ESYS_TR_NONE,
            Esys.ESYS_TR_NONE,
            TPM2_CAP_TPM_PROPERTIES,
            TPM2_PT_NV_BUFFER_MAX,
            1,
            Pointer.NULL,
            data),
        "reading TPM2_PT_NV_BUFFER_MAX");
    ByteBuffer buffer = ByteBuffer.wrap(takeWire("TPMS_CAPABILITY_DATA", data));
    // TPMS_CAPABILITY_DATA: capability u32, count u32, then (property u32, value u32) pairs
    buffer.getInt();
    if (buffer.getInt() < 1 || buffer.getInt() != TPM2_PT_NV_BUFFER_MAX) {
      return 512;
    }
    return buffer.getInt();
  }

  private IntByReference persistent(int handle) throws TpmException {
    IntByReference object = new IntByReference();
    int rc = fromTpmPublic(handle, object);
    if (isHandleError(rc)) {
      throw new TpmException(
          "no persistent object at handle " + hex(handle) + " on TPM '" + tctiConfig + "'", rc);
    }
    tss.check(rc, "looking up handle " + hex(handle));
    return object;
  }

  private int fromTpmPublic(int handle, IntByReference object) {
    return tss.esys.Esys_TR_FromTPMPublic(
        context(), handle, Esys.ESYS_TR_NONE, Esys.ESYS_TR_NONE, Esys.ESYS_TR_NONE, object);
  }

  /** True for TPM_RC_HANDLE in any parameter position, as a missing handle reports it. */
  private static boolean isHandleError(int rc) {
    int code = rc & ~LAYER_MASK;
    return (code & TPM2_RC_FMT1) != 0 && (code & 0x3F) == (TPM2_RC_HANDLE & 0x3F);
  }

  private byte[] takeWire(String type, PointerByReference result) throws TpmException {
    try {
      return tss.mu.toWire(type, result.getValue());
    } finally {
      tss.esys.Esys_Free(result.getValue());
    }
  }

  private void close(IntByReference object) {
    tss.esys.Esys_TR_Close(context(), object);
  }

  private void flush(int object) throws TpmException {
    tss.check(tss.esys.Esys_FlushContext(context(), object), "flushing a transient object");
  }

  private void flushQuietly(int object) {
    if (object != Esys.ESYS_TR_NONE) {
      tss.esys.Esys_FlushContext(context(), object);
    }
  }

  private Pointer context() {
    return esys.getValue();
  }

  private PointerByReference[] unusedOutputs(int count) {
    PointerByReference[] outputs = new PointerByReference[count];
    for (int i = 0; i < count; i++) {
      outputs[i] = new PointerByReference();
    }
    return outputs;
  }

  private void freeAll(PointerByReference[] outputs) {
    for (PointerByReference output : outputs) {
      if (output.getValue() != null) {
        tss.esys.Esys_Free(output.getValue());
      }
    }
  }

  private static byte[] tpm2b(byte[] content) {
    return ByteBuffer.allocate(2 + content.length)
        .putShort((short) content.length)
        .put(content)
        .array();
  }

  private static byte[] unwrap2b(byte[] wire) {
    return Arrays.copyOfRange(wire, 2, wire.length);
  }

  private static String hex(int handle) {
    return "0x" + Integer.toHexString(handle);
  }
}
