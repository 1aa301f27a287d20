/*
 * Launch files: the node agent writes one per secured step, and the plugin turns it into the
 * command line that runs each task inside the job's container (docs/protocol.md). The file
 * contains NUL-terminated strings. First the magic "HPCS-LAUNCH-2", then the mode ("argv"
 * appends the task's whole argv, "args" appends it without argv[0]), then the task output path
 * (empty keeps Slurm's output), then the argv prefix. The code has no Slurm dependency, so the
 * test programs can link it alone.
 */
#ifndef HPCS_LAUNCH_H
#define HPCS_LAUNCH_H

#include <stddef.h>

#define HPCS_LAUNCH_MAGIC "HPCS-LAUNCH-2"
#define HPCS_LAUNCH_MAX_BYTES (64 * 1024)
#define HPCS_LAUNCH_MAX_ARGS 1024
#define HPCS_LAUNCH_MAX_OUTPUT 4000	/* leaves room for ".<task>.out" in PATH_MAX */

struct hpcs_launch {
	char *buf;		/* the file content; argv points into it */
	int skip_task_argv0;	/* mode "args" */
	const char *task_output;	/* absolute path without ".<task>.out", or NULL */
	size_t argc;		/* prefix elements */
	char **argv;		/* argc elements and a NULL */
};

int hpcs_launch_parse(char *buf, size_t len, struct hpcs_launch *out, char *err, size_t errlen);
int hpcs_launch_read(const char *path, struct hpcs_launch *out, char *err, size_t errlen);
char **hpcs_launch_argv(const struct hpcs_launch *launch, int task_argc, char **task_argv,
			char *err, size_t errlen);
int hpcs_launch_redirect(const char *task_output, unsigned int task, char *path, size_t pathlen,
			 char *err, size_t errlen);
void hpcs_launch_free(struct hpcs_launch *launch);

#endif
