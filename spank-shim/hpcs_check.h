/*
 * Checks without Slurm calls: plugstack arguments, node names, socket paths and job
 * manifests. Each function returns 0 on success, -1 on failure with the reason in err.
 */
#ifndef HPCS_CHECK_H
#define HPCS_CHECK_H

#include <stddef.h>
#include <sys/un.h>

#define HPCS_DEFAULT_SOCKET "/run/hpcs/agent.sock"
#define HPCS_DEFAULT_TIMEOUT 10
#define HPCS_MAX_TIMEOUT 300
#define HPCS_MAX_MANIFEST (64 * 1024)
#define HPCS_MAX_NODE_NAME 64
#define HPCS_MAX_PATH 4096

struct hpcs_config {
	char socket_template[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int timeout_seconds;
};

int hpcs_config_parse(int ac, char **av, struct hpcs_config *cfg, char *err, size_t errlen);
int hpcs_node_name_valid(const char *name);
int hpcs_socket_path(const char *template, const char *node, char *out, size_t outlen,
		     char *err, size_t errlen);
int hpcs_manifest_read(const char *path, unsigned char **data, size_t *len, char *err,
		       size_t errlen);
int hpcs_manifest_resolve(const char *value, const char *base_dir, char *out, size_t outlen,
			  char *err, size_t errlen);

#endif
