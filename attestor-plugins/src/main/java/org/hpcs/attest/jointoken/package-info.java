/**
 * The {@code join-token} attestor: an admin creates a single-use, expiring token bound to one node
 * through the server API; the node agent presents it together with an HMAC over the server nonce.
 * The server stores only the token's SHA-256 hash.
 */
package org.hpcs.attest.jointoken;
