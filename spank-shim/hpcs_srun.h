#ifndef HPCS_SRUN_H
#define HPCS_SRUN_H

#include <slurm/spank.h>

int hpcs_srun_init(spank_t sp, int ac, char **av);
int hpcs_srun_post_opt(spank_t sp, int ac, char **av);

#endif
