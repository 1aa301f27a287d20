#ifndef HPCS_ALLOC_H
#define HPCS_ALLOC_H

#include <slurm/spank.h>

int hpcs_alloc_init(spank_t sp, int ac, char **av);
int hpcs_alloc_post_opt(spank_t sp, int ac, char **av);

#endif
