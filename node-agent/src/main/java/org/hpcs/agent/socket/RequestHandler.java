package org.hpcs.agent.socket;

import org.hpcs.agent.protocol.Reply;
import org.hpcs.agent.protocol.Request;

/** Handles one validated request and returns the final reply. */
@FunctionalInterface
public interface RequestHandler {
  /** Handles the request; failures become error replies, never exceptions. */
  Reply handle(Request request);
}
