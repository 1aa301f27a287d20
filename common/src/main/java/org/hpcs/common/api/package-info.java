/**
 * JSON wire types of the HPCS server API, shared by the server, the node agent and the client, and
 * a typed client for the user endpoints ({@link org.hpcs.common.api.HpcsApiClient}). Requests are
 * parsed strictly: the server rejects unknown fields, so add a field here before sending it.
 */
package org.hpcs.common.api;
