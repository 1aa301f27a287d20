/*
 * srun (local context): the same checks as sbatch. Inside a batch job srun sees the job's
 * option again through the environment Slurm forwards, so each step is checked on its own.
 */
#include "hpcs_common.h"
#include "hpcs_srun.h"

int hpcs_srun_init(spank_t sp, int ac, char **av)
{
	return hpcs_common_init(sp, ac, av);
}

int hpcs_srun_post_opt(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	return hpcs_check_submit(sp);
}
