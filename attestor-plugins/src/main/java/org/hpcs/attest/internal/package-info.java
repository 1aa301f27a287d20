/**
 * Helpers shared by the attestor implementations: configuration checks, certificate files and
 * evidence field decoding. Not part of the SPI.
 */
package org.hpcs.attest.internal;
