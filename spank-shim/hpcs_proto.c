/*
 * Encoder for requests and strict decoder for replies of the node agent protocol.
 * Every function returns 0 on success and -1 on failure; decoders write the reason to err.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcs_proto.h"

#define HEADER_BYTES 4

static const char base64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int hpcs_key_valid(const char *key)
{
	size_t i, len = strlen(key);

	if (len == 0 || len > HPCS_MAX_KEY || key[0] < 'a' || key[0] > 'z')
		return 0;
	for (i = 1; i < len; i++) {
		char c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

/* Values are any bytes except ASCII control characters (which include the line end). */
int hpcs_value_valid(const char *value, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

static int msg_reserve(struct hpcs_msg *m, size_t extra)
{
	if (m->failed || extra > HPCS_MAX_FRAME + HEADER_BYTES - m->len) {
		m->failed = 1;
		return -1;
	}
	if (m->len + extra > m->cap) {
		size_t cap = m->cap * 2;
		unsigned char *grown;

		while (cap < m->len + extra)
			cap *= 2;
		if (cap > HPCS_MAX_FRAME + HEADER_BYTES)
			cap = HPCS_MAX_FRAME + HEADER_BYTES;
		grown = realloc(m->buf, cap);
		if (grown == NULL) {
			m->failed = 1;
			return -1;
		}
		m->buf = grown;
		m->cap = cap;
	}
	return 0;
}

static int msg_append(struct hpcs_msg *m, const char *key, const char *value, size_t vlen)
{
	size_t klen = strlen(key);

	if (!hpcs_key_valid(key) || !hpcs_value_valid(value, vlen)) {
		m->failed = 1;
		return -1;
	}
	if (msg_reserve(m, klen + vlen + 2) < 0)
		return -1;
	memcpy(m->buf + m->len, key, klen);
	m->len += klen;
	m->buf[m->len++] = '=';
	memcpy(m->buf + m->len, value, vlen);
	m->len += vlen;
	m->buf[m->len++] = '\n';
	return 0;
}

int hpcs_msg_init(struct hpcs_msg *m, const char *op)
{
	memset(m, 0, sizeof(*m));
	m->cap = 1024;
	m->buf = malloc(m->cap);
	if (m->buf == NULL)
		return -1;
	m->len = HEADER_BYTES;
	if (hpcs_msg_add(m, "v", HPCS_PROTO_VERSION) < 0 || hpcs_msg_add(m, "op", op) < 0) {
		hpcs_msg_free(m);
		return -1;
	}
	return 0;
}

void hpcs_msg_free(struct hpcs_msg *m)
{
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

int hpcs_msg_add(struct hpcs_msg *m, const char *key, const char *value)
{
	return msg_append(m, key, value, strlen(value));
}

int hpcs_msg_add_u32(struct hpcs_msg *m, const char *key, uint32_t value)
{
	char text[16];

	snprintf(text, sizeof(text), "%u", value);
	return hpcs_msg_add(m, key, text);
}

int hpcs_msg_add_base64(struct hpcs_msg *m, const char *key, const unsigned char *data,
			size_t len)
{
	size_t out_len, i, o = 0;
	char *out;
	int rc;

	if (len > (HPCS_MAX_FRAME / 4) * 3) {
		m->failed = 1;
		return -1;
	}
	out_len = ((len + 2) / 3) * 4;
	out = malloc(out_len + 1);
	if (out == NULL) {
		m->failed = 1;
		return -1;
	}
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t n = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];

		out[o++] = base64_alphabet[(n >> 18) & 63];
		out[o++] = base64_alphabet[(n >> 12) & 63];
		out[o++] = base64_alphabet[(n >> 6) & 63];
		out[o++] = base64_alphabet[n & 63];
	}
	if (i < len) {
		uint32_t n = (uint32_t)data[i] << 16;

		if (i + 1 < len)
			n |= (uint32_t)data[i + 1] << 8;
		out[o++] = base64_alphabet[(n >> 18) & 63];
		out[o++] = base64_alphabet[(n >> 12) & 63];
		out[o++] = i + 1 < len ? base64_alphabet[(n >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	rc = msg_append(m, key, out, o);
	free(out);
	return rc;
}

int hpcs_msg_frame(struct hpcs_msg *m, const unsigned char **frame, size_t *len)
{
	size_t payload = m->len - HEADER_BYTES;

	if (m->failed || m->buf == NULL || payload == 0 || payload > HPCS_MAX_FRAME)
		return -1;
	m->buf[0] = (unsigned char)(payload >> 24);
	m->buf[1] = (unsigned char)(payload >> 16);
	m->buf[2] = (unsigned char)(payload >> 8);
	m->buf[3] = (unsigned char)payload;
	*frame = m->buf;
	*len = m->len;
	return 0;
}

int hpcs_frame_length(const unsigned char header[4], uint32_t max, uint32_t *len)
{
	uint32_t n = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 |
		     (uint32_t)header[2] << 8 | header[3];

	if (n == 0 || n > max)
		return -1;
	*len = n;
	return 0;
}

/*
 * Split payload (modified in place: '=' and '\n' become NUL) into fields. The payload must
 * end with a line end, start with "v=1", hold at most HPCS_MAX_FIELDS unique valid keys.
 */
int hpcs_fields_parse(char *payload, size_t len, struct hpcs_fields *out, char *err,
		      size_t errlen)
{
	size_t pos = 0, i;

	out->count = 0;
	if (len == 0 || len > HPCS_MAX_FRAME || payload[len - 1] != '\n') {
		snprintf(err, errlen, "payload is empty, too long or not terminated by a line end");
		return -1;
	}
	while (pos < len) {
		char *line = payload + pos;
		char *end = memchr(line, '\n', len - pos);
		char *eq;
		size_t line_len = (size_t)(end - line);

		eq = memchr(line, '=', line_len);
		if (eq == NULL) {
			snprintf(err, errlen, "line %zu has no '='", out->count + 1);
			return -1;
		}
		*eq = '\0';
		*end = '\0';
		if (!hpcs_key_valid(line)) {
			snprintf(err, errlen, "line %zu has an invalid key", out->count + 1);
			return -1;
		}
		if (!hpcs_value_valid(eq + 1, (size_t)(end - eq - 1))) {
			snprintf(err, errlen, "value of key '%s' has a control character", line);
			return -1;
		}
		for (i = 0; i < out->count; i++) {
			if (strcmp(out->items[i].key, line) == 0) {
				snprintf(err, errlen, "key '%s' occurs twice", line);
				return -1;
			}
		}
		if (out->count == HPCS_MAX_FIELDS) {
			snprintf(err, errlen, "more than %d fields", HPCS_MAX_FIELDS);
			return -1;
		}
		out->items[out->count].key = line;
		out->items[out->count].value = eq + 1;
		out->count++;
		pos += line_len + 1;
	}
	if (strcmp(out->items[0].key, "v") != 0) {
		snprintf(err, errlen, "first field is not the protocol version 'v'");
		return -1;
	}
	if (strcmp(out->items[0].value, HPCS_PROTO_VERSION) != 0) {
		snprintf(err, errlen, "unsupported protocol version '%.16s', expected %s",
			 out->items[0].value, HPCS_PROTO_VERSION);
		return -1;
	}
	return 0;
}

const char *hpcs_fields_get(const struct hpcs_fields *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->count; i++) {
		if (strcmp(f->items[i].key, key) == 0)
			return f->items[i].value;
	}
	return NULL;
}

/*
 * A reply carries v, status, message (required for errors, optional otherwise) and, only in
 * an ok reply, launch: the absolute path of the step's launch file.
 */
int hpcs_reply_parse(char *payload, size_t len, struct hpcs_reply *reply, char *err,
		     size_t errlen)
{
	struct hpcs_fields f;
	const char *status, *message, *launch;
	size_t i;

	memset(reply, 0, sizeof(*reply));
	if (len > HPCS_MAX_REPLY) {
		snprintf(err, errlen, "reply of %zu bytes exceeds %d", len, HPCS_MAX_REPLY);
		return -1;
	}
	if (hpcs_fields_parse(payload, len, &f, err, errlen) < 0)
		return -1;
	for (i = 1; i < f.count; i++) {
		const char *k = f.items[i].key;

		if (strcmp(k, "status") != 0 && strcmp(k, "message") != 0 &&
		    strcmp(k, "launch") != 0) {
			snprintf(err, errlen, "unknown reply key '%s'", k);
			return -1;
		}
	}
	status = hpcs_fields_get(&f, "status");
	message = hpcs_fields_get(&f, "message");
	launch = hpcs_fields_get(&f, "launch");
	if (status == NULL) {
		snprintf(err, errlen, "reply has no status");
		return -1;
	}
	if (strcmp(status, "ok") == 0) {
		reply->status = HPCS_STATUS_OK;
	} else if (strcmp(status, "progress") == 0) {
		reply->status = HPCS_STATUS_PROGRESS;
	} else if (strcmp(status, "error") == 0) {
		reply->status = HPCS_STATUS_ERROR;
		if (message == NULL || message[0] == '\0') {
			snprintf(err, errlen, "error reply has no message");
			return -1;
		}
	} else {
		snprintf(err, errlen, "unknown reply status '%.32s'", status);
		return -1;
	}
	if (launch != NULL) {
		if (reply->status != HPCS_STATUS_OK) {
			snprintf(err, errlen, "only an ok reply may carry a launch path");
			return -1;
		}
		if (launch[0] != '/' || strlen(launch) >= sizeof(reply->launch)) {
			snprintf(err, errlen, "launch path is not absolute or longer than %d bytes",
				 HPCS_MAX_LAUNCH_PATH - 1);
			return -1;
		}
		memcpy(reply->launch, launch, strlen(launch) + 1);
	}
	if (message != NULL)
		snprintf(reply->message, sizeof(reply->message), "%s", message);
	return 0;
}
