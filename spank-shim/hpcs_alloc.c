/* sbatch and salloc (allocator context): register the option and check it at submit time. */
#include "hpcs_alloc.h"
#include "hpcs_common.h"

int hpcs_alloc_init(spank_t sp, int ac, char **av)
{
	return hpcs_common_init(sp, ac, av);
}

int hpcs_alloc_post_opt(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	return hpcs_check_submit(sp);
}
