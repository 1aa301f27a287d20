/*
 * Option registration, the HPCS_SECURE environment twin, plugstack arguments and the
 * submit-time manifest check shared by sbatch/salloc and srun.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcs_common.h"

static struct hpcs_common common;

static int option_callback(int val, const char *optarg, int remote)
{
	char *copy = strdup(optarg != NULL ? optarg : "");

	(void)val;
	(void)remote;
	if (copy == NULL)
		return -1;
	/* Slurm may run the callback twice for one step; the last value wins. */
	free(common.option_value);
	common.option_value = copy;
	common.option_set = 1;
	return 0;
}

static struct spank_option secure_option = {
	.name = HPCS_OPTION,
	.arginfo = "[manifest]",
	.usage = "Run the job secured by HPCS. The value is the path of the job manifest "
		 "(JSON); leave it empty for the site defaults. Environment: HPCS_SECURE.",
	.has_arg = 2,
	.val = 0,
	.cb = option_callback,
};

struct hpcs_common *hpcs_common(void)
{
	return &common;
}

/*
 * Parse the plugstack arguments once. Hooks that need the socket call this with their own
 * arguments too, because Slurm does not run slurm_spank_init before the job prolog and epilog.
 */
void hpcs_common_config(int ac, char **av)
{
	if (common.config_parsed)
		return;
	common.config_parsed = 1;
	if (hpcs_config_parse(ac, av, &common.config, common.config_error,
			      sizeof(common.config_error)) < 0)
		common.config_failed = 1;
}

int hpcs_common_init(spank_t sp, int ac, char **av)
{
	spank_err_t rc;

	hpcs_common_config(ac, av);
	rc = spank_option_register(sp, &secure_option);
	if (rc != ESPANK_SUCCESS) {
		slurm_error("hpcs: registering option --%s failed: %s", HPCS_OPTION,
			    spank_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * Return 1 when the job or step requests to be secured, through the option or its environment
 * twin, with *value set to the manifest value and *source naming where it came from. Return -1
 * when the job environment sets HPCS_SECURE to a value too long to read, so the request is
 * rejected rather than ignored.
 */
int hpcs_secure_requested(spank_t sp, const char **value, const char **source)
{
	static char env_value[HPCS_MAX_PATH];
	const char *env = NULL;

	if (common.option_set) {
		*value = common.option_value;
		*source = "--" HPCS_OPTION;
		return 1;
	}
	if (spank_context() == S_CTX_REMOTE) {
		spank_err_t rc = spank_getenv(sp, HPCS_ENV_TWIN, env_value, sizeof(env_value));

		if (rc == ESPANK_NOSPACE) {
			*value = "";
			*source = HPCS_ENV_TWIN;
			return -1;
		}
		if (rc == ESPANK_SUCCESS)
			env = env_value;
	} else {
		env = getenv(HPCS_ENV_TWIN);
	}
	if (env == NULL)
		return 0;
	*value = env;
	*source = HPCS_ENV_TWIN;
	return 1;
}

/*
 * Check the request at submit time (sbatch, salloc, srun) and pass the absolute manifest
 * path on to the job, so a relative path means the same on the compute nodes.
 */
int hpcs_check_submit(spank_t sp)
{
	char path[HPCS_MAX_PATH], err[HPCS_MAX_PATH + 256];
	const char *value, *source;
	unsigned char *data = NULL;
	size_t len = 0;
	spank_err_t rc;

	if (hpcs_secure_requested(sp, &value, &source) == 0)
		return 0;
	if (common.config_failed) {
		slurm_error("hpcs: %s: the HPCS plugin is misconfigured on this host: %s; ask "
			    "the site admins to fix plugstack.conf", source, common.config_error);
		return -1;
	}
	if (hpcs_manifest_resolve(value, NULL, path, sizeof(path), err, sizeof(err)) < 0 ||
	    (path[0] != '\0' && hpcs_manifest_read(path, &data, &len, err, sizeof(err)) < 0)) {
		slurm_error("hpcs: invalid %s='%.256s': %s; pass a readable JSON manifest of at most "
			    "%d bytes, or an empty value for the site defaults", source, value, err,
			    HPCS_MAX_MANIFEST);
		return -1;
	}
	free(data);
	rc = spank_job_control_setenv(sp, HPCS_CONTROL_MANIFEST, path, 1);
	if (rc != ESPANK_SUCCESS) {
		slurm_error("hpcs: %s: passing the manifest path to the job failed: %s", source,
			    spank_strerror(rc));
		return -1;
	}
	slurm_verbose("hpcs: secured job requested with manifest '%s'", path);
	return 0;
}

/*
 * Node name of this slurmd, from the environment of slurmd and slurmstepd. The job environment
 * is only a fallback: a step inherits SLURMD_NODENAME from the batch script, where it names
 * the batch node, and the user can change it.
 */
int hpcs_node_name(spank_t sp, char *out, size_t outlen)
{
	const char *env = getenv("SLURMD_NODENAME");

	if (env != NULL && hpcs_node_name_valid(env) && strlen(env) < outlen) {
		memcpy(out, env, strlen(env) + 1);
		return 0;
	}
	if (spank_context() == S_CTX_REMOTE &&
	    spank_getenv(sp, "SLURMD_NODENAME", out, (int)outlen) == ESPANK_SUCCESS &&
	    hpcs_node_name_valid(out)) {
		slurm_verbose("hpcs: SLURMD_NODENAME taken from the job environment: %s", out);
		return 0;
	}
	return -1;
}

int hpcs_agent_socket(const char *node, char *out, size_t outlen, char *err, size_t errlen)
{
	if (!common.config_parsed) {
		snprintf(err, errlen, "the HPCS plugin read no plugstack arguments");
		return -1;
	}
	if (common.config_failed) {
		snprintf(err, errlen, "the HPCS plugin is misconfigured: %s", common.config_error);
		return -1;
	}
	return hpcs_socket_path(common.config.socket_template, node, out, outlen, err, errlen);
}
