#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hpcs_check.h"

/*
 * Parse plugstack arguments "socket=PATH" and "timeout=SECONDS". Unknown or repeated keys
 * are errors, so a typo in plugstack.conf never silently falls back to a default.
 */
int hpcs_config_parse(int ac, char **av, struct hpcs_config *cfg, char *err, size_t errlen)
{
	int i, seen_socket = 0, seen_timeout = 0;

	snprintf(cfg->socket_template, sizeof(cfg->socket_template), "%s", HPCS_DEFAULT_SOCKET);
	cfg->timeout_seconds = HPCS_DEFAULT_TIMEOUT;
	for (i = 0; i < ac; i++) {
		const char *arg = av[i];

		if (strncmp(arg, "socket=", 7) == 0 && !seen_socket) {
			const char *path = arg + 7;

			seen_socket = 1;
			if (path[0] != '/' || strlen(path) >= sizeof(cfg->socket_template)) {
				snprintf(err, errlen, "plugstack argument '%s': socket must be an "
					 "absolute path shorter than %zu bytes", arg,
					 sizeof(cfg->socket_template));
				return -1;
			}
			snprintf(cfg->socket_template, sizeof(cfg->socket_template), "%s", path);
		} else if (strncmp(arg, "timeout=", 8) == 0 && !seen_timeout) {
			char *end = NULL;
			long t;

			seen_timeout = 1;
			errno = 0;
			t = strtol(arg + 8, &end, 10);
			if (errno != 0 || end == arg + 8 || *end != '\0' || t < 1 ||
			    t > HPCS_MAX_TIMEOUT) {
				snprintf(err, errlen, "plugstack argument '%s': timeout must be a "
					 "whole number of seconds from 1 to %d", arg,
					 HPCS_MAX_TIMEOUT);
				return -1;
			}
			cfg->timeout_seconds = (int)t;
		} else {
			snprintf(err, errlen, "plugstack argument '%s' is unknown or repeated; "
				 "valid arguments are socket=PATH and timeout=SECONDS", arg);
			return -1;
		}
	}
	return 0;
}

int hpcs_node_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > HPCS_MAX_NODE_NAME || name[0] == '.' || name[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Expand "%n" (node name) and "%%" in the socket template. */
int hpcs_socket_path(const char *template, const char *node, char *out, size_t outlen,
		     char *err, size_t errlen)
{
	size_t o = 0;
	const char *p;

	for (p = template; *p != '\0'; p++) {
		const char *piece = p;
		size_t plen = 1;

		if (*p == '%') {
			if (p[1] == 'n') {
				if (node == NULL || !hpcs_node_name_valid(node)) {
					snprintf(err, errlen, "socket path %s needs the node name, "
						 "but SLURMD_NODENAME is %s", template,
						 node == NULL ? "not set" : "not a valid node name");
					return -1;
				}
				piece = node;
				plen = strlen(node);
			} else if (p[1] != '%') {
				snprintf(err, errlen, "socket path %s has an unknown %% sequence; "
					 "use %%n for the node name or %%%% for '%%'", template);
				return -1;
			}
			p++;
		}
		if (o + plen >= outlen) {
			snprintf(err, errlen, "socket path %s is too long after expansion", template);
			return -1;
		}
		memcpy(out + o, piece, plen);
		o += plen;
	}
	out[o] = '\0';
	return 0;
}

static int has_control_char(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	}
	return 0;
}

/*
 * Turn the option value into an absolute manifest path. A relative value is taken relative
 * to base_dir (the current directory when base_dir is NULL). The empty value means "site
 * defaults" and gives an empty path.
 */
int hpcs_manifest_resolve(const char *value, const char *base_dir, char *out, size_t outlen,
			  char *err, size_t errlen)
{
	char cwd[HPCS_MAX_PATH];
	int n;

	if (value[0] == '\0') {
		out[0] = '\0';
		return 0;
	}
	if (has_control_char(value)) {
		snprintf(err, errlen, "manifest path contains a control character");
		return -1;
	}
	if (value[0] == '/') {
		n = snprintf(out, outlen, "%s", value);
	} else {
		if (base_dir == NULL) {
			if (getcwd(cwd, sizeof(cwd)) == NULL) {
				snprintf(err, errlen, "cannot resolve relative manifest path: "
					 "current directory: %s", strerror(errno));
				return -1;
			}
			base_dir = cwd;
		}
		n = snprintf(out, outlen, "%s/%s", base_dir, value);
	}
	if (n < 0 || (size_t)n >= outlen) {
		snprintf(err, errlen, "manifest path is longer than %zu bytes", outlen - 1);
		return -1;
	}
	return 0;
}

static int looks_like_json(const unsigned char *data, size_t len)
{
	size_t first = 0, last = len;

	if (memchr(data, '\0', len) != NULL)
		return 0;
	while (first < len && strchr(" \t\r\n", data[first]) != NULL)
		first++;
	while (last > first && strchr(" \t\r\n", data[last - 1]) != NULL)
		last--;
	return last - first >= 2 && data[first] == '{' && data[last - 1] == '}';
}

/*
 * Read a manifest: a regular file of 2 to HPCS_MAX_MANIFEST bytes holding one JSON object.
 * The caller frees *data. The check is on the opened descriptor, so a file swapped after
 * the check is never read.
 */
int hpcs_manifest_read(const char *path, unsigned char **data, size_t *len, char *err,
		       size_t errlen)
{
	struct stat st;
	unsigned char *buf = NULL;
	size_t got = 0;
	int fd, rc = -1;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "manifest %s is not readable: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "manifest %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "manifest %s is not a regular file", path);
		goto out;
	}
	if (st.st_size > HPCS_MAX_MANIFEST) {
		snprintf(err, errlen, "manifest %s has %lld bytes, more than the limit of %d",
			 path, (long long)st.st_size, HPCS_MAX_MANIFEST);
		goto out;
	}
	buf = malloc(HPCS_MAX_MANIFEST + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory reading manifest %s", path);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + got, HPCS_MAX_MANIFEST + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "manifest %s: read failed: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > HPCS_MAX_MANIFEST) {
			snprintf(err, errlen, "manifest %s grew beyond the limit of %d bytes",
				 path, HPCS_MAX_MANIFEST);
			goto out;
		}
	}
	if (!looks_like_json(buf, got)) {
		snprintf(err, errlen, "manifest %s is not a JSON object", path);
		goto out;
	}
	*data = buf;
	*len = got;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}
