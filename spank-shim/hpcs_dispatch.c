/* SPANK entry points: each hook forwards to the file of the context it runs in. */
#include <slurm/spank.h>

#include "hpcs_alloc.h"
#include "hpcs_jobscript.h"
#include "hpcs_slurmstepd.h"
#include "hpcs_srun.h"

SPANK_PLUGIN(hpcs, 1)

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	switch (spank_context()) {
	case S_CTX_LOCAL:
		return hpcs_srun_init(sp, ac, av);
	case S_CTX_ALLOCATOR:
		return hpcs_alloc_init(sp, ac, av);
	case S_CTX_REMOTE:
		return hpcs_slurmstepd_init(sp, ac, av);
	case S_CTX_JOB_SCRIPT:
		return hpcs_jobscript_init(sp, ac, av);
	default:
		return 0;
	}
}

int slurm_spank_init_post_opt(spank_t sp, int ac, char **av)
{
	switch (spank_context()) {
	case S_CTX_LOCAL:
		return hpcs_srun_post_opt(sp, ac, av);
	case S_CTX_ALLOCATOR:
		return hpcs_alloc_post_opt(sp, ac, av);
	case S_CTX_REMOTE:
		return hpcs_slurmstepd_post_opt(sp, ac, av);
	default:
		return 0;
	}
}

int slurm_spank_job_prolog(spank_t sp, int ac, char **av)
{
	return hpcs_jobscript_prolog(sp, ac, av);
}

int slurm_spank_user_init(spank_t sp, int ac, char **av)
{
	return hpcs_slurmstepd_user_init(sp, ac, av);
}

int slurm_spank_task_init_privileged(spank_t sp, int ac, char **av)
{
	return hpcs_slurmstepd_task_init_privileged(sp, ac, av);
}

int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	return hpcs_slurmstepd_task_init(sp, ac, av);
}

int slurm_spank_job_epilog(spank_t sp, int ac, char **av)
{
	return hpcs_jobscript_epilog(sp, ac, av);
}

int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	switch (spank_context()) {
	case S_CTX_REMOTE:
		return hpcs_slurmstepd_exit(sp, ac, av);
	default:
		return 0;
	}
}
