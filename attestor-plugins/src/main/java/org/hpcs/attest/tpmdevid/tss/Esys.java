package org.hpcs.attest.tpmdevid.tss;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The ESAPI functions used here, from {@code tss2_esys.h} (tpm2-tss 3.x). ESYS_TR and TSS2_RC are
 * 32-bit unsigned values and map to {@code int}; structure arguments are pointers to memory that
 * {@link Mu} filled.
 */
interface Esys extends Library {
  int ESYS_TR_NONE = 0xfff;
  int ESYS_TR_PASSWORD = 0x0ff;
  int ESYS_TR_RH_OWNER = 0x101;
  int ESYS_TR_RH_ENDORSEMENT = 0x10B;

  int Esys_Initialize(PointerByReference context, Pointer tcti, Pointer abiVersion);

  void Esys_Finalize(PointerByReference context);

  void Esys_Free(Pointer pointer);

  int Esys_TR_FromTPMPublic(
      Pointer context,
      int tpmHandle,
      int session1,
      int session2,
      int session3,
      IntByReference object);

  int Esys_TR_Close(Pointer context, IntByReference object);

  int Esys_FlushContext(Pointer context, int handle);

  int Esys_ReadPublic(
      Pointer context,
      int object,
      int session1,
      int session2,
      int session3,
      PointerByReference outPublic,
      PointerByReference name,
      PointerByReference qualifiedName);

  int Esys_Sign(
      Pointer context,
      int key,
      int session1,
      int session2,
      int session3,
      Pointer digest,
      Pointer scheme,
      Pointer validation,
      PointerByReference signature);

  int Esys_StartAuthSession(
      Pointer context,
      int tpmKey,
      int bind,
      int session1,
      int session2,
      int session3,
      Pointer nonceCaller,
      byte sessionType,
      Pointer symmetric,
      short authHash,
      IntByReference session);

  int Esys_PolicySecret(
      Pointer context,
      int authHandle,
      int policySession,
      int session1,
      int session2,
      int session3,
      Pointer nonceTpm,
      Pointer cpHashA,
      Pointer policyRef,
      int expiration,
      PointerByReference timeout,
      PointerByReference ticket);

  int Esys_ActivateCredential(
      Pointer context,
      int activateHandle,
      int keyHandle,
      int session1,
      int session2,
      int session3,
      Pointer credentialBlob,
      Pointer secret,
      PointerByReference certInfo);

  int Esys_CreatePrimary(
      Pointer context,
      int primaryHandle,
      int session1,
      int session2,
      int session3,
      Pointer inSensitive,
      Pointer inPublic,
      Pointer outsideInfo,
      Pointer creationPcr,
      IntByReference object,
      PointerByReference outPublic,
      PointerByReference creationData,
      PointerByReference creationHash,
      PointerByReference creationTicket);

  int Esys_Create(
      Pointer context,
      int parent,
      int session1,
      int session2,
      int session3,
      Pointer inSensitive,
      Pointer inPublic,
      Pointer outsideInfo,
      Pointer creationPcr,
      PointerByReference outPrivate,
      PointerByReference outPublic,
      PointerByReference creationData,
      PointerByReference creationHash,
      PointerByReference creationTicket);

  int Esys_Load(
      Pointer context,
      int parent,
      int session1,
      int session2,
      int session3,
      Pointer inPrivate,
      Pointer inPublic,
      IntByReference object);

  int Esys_EvictControl(
      Pointer context,
      int auth,
      int object,
      int session1,
      int session2,
      int session3,
      int persistentHandle,
      IntByReference newObject);

  int Esys_NV_ReadPublic(
      Pointer context,
      int nvIndex,
      int session1,
      int session2,
      int session3,
      PointerByReference nvPublic,
      PointerByReference nvName);

  int Esys_NV_Read(
      Pointer context,
      int authHandle,
      int nvIndex,
      int session1,
      int session2,
      int session3,
      short size,
      short offset,
      PointerByReference data);

  int Esys_GetCapability(
      Pointer context,
      int session1,
      int session2,
      int session3,
      int capability,
      int property,
      int propertyCount,
      Pointer moreData,
      PointerByReference capabilityData);
}
