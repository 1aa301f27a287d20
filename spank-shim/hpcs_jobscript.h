#ifndef HPCS_JOBSCRIPT_H
#define HPCS_JOBSCRIPT_H

#include <slurm/spank.h>

int hpcs_jobscript_init(spank_t sp, int ac, char **av);
int hpcs_jobscript_prolog(spank_t sp, int ac, char **av);
int hpcs_jobscript_epilog(spank_t sp, int ac, char **av);

#endif
