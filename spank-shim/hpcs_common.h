/* State and helpers shared by the per-context files of the SPANK plugin. */
#ifndef HPCS_COMMON_H
#define HPCS_COMMON_H

#include <slurm/spank.h>

#include "hpcs_check.h"

#define HPCS_OPTION "hpcs-secure"
#define HPCS_ENV_TWIN "HPCS_SECURE"
/* Set with spank_job_control_setenv: SPANK_HPCS_MANIFEST in prolog/epilog, SLURM_SPANK_... in jobs */
#define HPCS_CONTROL_MANIFEST "HPCS_MANIFEST"

struct hpcs_common {
	int option_set;			/* --hpcs-secure was given (or forwarded by Slurm) */
	char *option_value;		/* its value, "" for the bare option */
	struct hpcs_config config;
	int config_parsed;
	int config_failed;
	char config_error[512];
};

struct hpcs_common *hpcs_common(void);
void hpcs_common_config(int ac, char **av);
int hpcs_common_init(spank_t sp, int ac, char **av);
int hpcs_secure_requested(spank_t sp, const char **value, const char **source);
int hpcs_check_submit(spank_t sp);
int hpcs_node_name(spank_t sp, char *out, size_t outlen);
int hpcs_agent_socket(const char *node, char *out, size_t outlen, char *err, size_t errlen);

#endif
