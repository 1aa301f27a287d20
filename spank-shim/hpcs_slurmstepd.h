#ifndef HPCS_SLURMSTEPD_H
#define HPCS_SLURMSTEPD_H

#include <slurm/spank.h>

int hpcs_slurmstepd_init(spank_t sp, int ac, char **av);
int hpcs_slurmstepd_post_opt(spank_t sp, int ac, char **av);
int hpcs_slurmstepd_user_init(spank_t sp, int ac, char **av);
int hpcs_slurmstepd_task_init_privileged(spank_t sp, int ac, char **av);
int hpcs_slurmstepd_task_init(spank_t sp, int ac, char **av);
int hpcs_slurmstepd_exit(spank_t sp, int ac, char **av);

#endif
