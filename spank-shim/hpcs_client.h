/* Client side of the node agent socket: one request, one final reply, bounded waits. */
#ifndef HPCS_CLIENT_H
#define HPCS_CLIENT_H

#include <stddef.h>

#include "hpcs_proto.h"

int hpcs_agent_call(const char *socket_path, int timeout_seconds, struct hpcs_msg *request,
		    struct hpcs_reply *reply, char *err, size_t errlen);

#endif
