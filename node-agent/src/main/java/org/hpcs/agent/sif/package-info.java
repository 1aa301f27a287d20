/**
 * Reader for Singularity Image Format files: finds the squashfs root partition and tells whether
 * Apptainer encrypted it. Depends on nothing else in the agent.
 */
package org.hpcs.agent.sif;
