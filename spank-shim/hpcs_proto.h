/*
 * Wire protocol between the SPANK plugin and hpcs-node-agent (docs/protocol.md).
 *
 * A frame is a 4-byte big-endian payload length followed by the payload: lines of
 * "key=value\n", the first of which is "v=1". This file has no Slurm dependency so the
 * test programs can link it alone.
 */
#ifndef HPCS_PROTO_H
#define HPCS_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define HPCS_PROTO_VERSION "1"
#define HPCS_MAX_FRAME (128 * 1024)	/* largest payload either side accepts */
#define HPCS_MAX_REPLY 8192		/* largest reply payload the plugin accepts */
#define HPCS_MAX_KEY 32
#define HPCS_MAX_FIELDS 32
#define HPCS_MAX_MESSAGE 1024
#define HPCS_MAX_LAUNCH_PATH 4096	/* longest launch path in a reply, NUL included */

struct hpcs_field {
	const char *key;	/* points into the parsed buffer, NUL-terminated */
	const char *value;
};

struct hpcs_fields {
	struct hpcs_field items[HPCS_MAX_FIELDS];
	size_t count;
};

/* A request under construction; buf holds the 4-byte header followed by the payload. */
struct hpcs_msg {
	unsigned char *buf;
	size_t len;		/* header + payload bytes written so far */
	size_t cap;
	int failed;		/* set once an add failed; hpcs_msg_frame then fails */
};

enum hpcs_status { HPCS_STATUS_OK, HPCS_STATUS_ERROR, HPCS_STATUS_PROGRESS };

struct hpcs_reply {
	enum hpcs_status status;
	char message[HPCS_MAX_MESSAGE];
	char launch[HPCS_MAX_LAUNCH_PATH];	/* ok reply to step_start: the launch file, or "" */
};

int hpcs_msg_init(struct hpcs_msg *m, const char *op);
void hpcs_msg_free(struct hpcs_msg *m);
int hpcs_msg_add(struct hpcs_msg *m, const char *key, const char *value);
int hpcs_msg_add_u32(struct hpcs_msg *m, const char *key, uint32_t value);
int hpcs_msg_add_base64(struct hpcs_msg *m, const char *key, const unsigned char *data,
			size_t len);
int hpcs_msg_frame(struct hpcs_msg *m, const unsigned char **frame, size_t *len);

int hpcs_frame_length(const unsigned char header[4], uint32_t max, uint32_t *len);
int hpcs_fields_parse(char *payload, size_t len, struct hpcs_fields *out, char *err,
		      size_t errlen);
const char *hpcs_fields_get(const struct hpcs_fields *f, const char *key);
int hpcs_reply_parse(char *payload, size_t len, struct hpcs_reply *reply, char *err,
		     size_t errlen);
int hpcs_key_valid(const char *key);
int hpcs_value_valid(const char *value, size_t len);

#endif
