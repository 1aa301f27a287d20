/** Helpers for reading the configuration files of the client, the server and the node agent. */
package org.hpcs.common.config;
