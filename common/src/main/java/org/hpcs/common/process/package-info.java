/**
 * Runs short external programs with a time limit and captures what they print ({@link
 * org.hpcs.common.process.ExternalCommand}).
 */
package org.hpcs.common.process;
