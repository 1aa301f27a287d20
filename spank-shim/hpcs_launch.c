/*
 * Reads and checks a launch file. The plugin runs this as the job user, right before the
 * task's exec, so every check guards against a file that is not the agent's. The file must be
 * a regular file of at most HPCS_LAUNCH_MAX_BYTES, owned by root and writable by root only, in
 * directories that only root can change. Every function returns 0 (or a pointer) on success
 * and -1 (or NULL) with the reason in err.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hpcs_launch.h"

/* Owned by root and not writable by group or others: only root can have changed it. */
static int root_only(const struct stat *st)
{
	return st->st_uid == 0 && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* Every directory from / down to the file's parent must be a real directory only root can change. */
static int check_directories(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	size_t len = strlen(path), i;
	struct stat st;

	if (len >= sizeof(dir)) {
		snprintf(err, errlen, "launch path is longer than %d bytes", PATH_MAX - 1);
		return -1;
	}
	for (i = 1; i < len; i++) {
		if (path[i] != '/')
			continue;
		memcpy(dir, path, i);
		dir[i] = '\0';
		if (lstat(dir, &st) < 0) {
			snprintf(err, errlen, "launch directory %s: %s", dir, strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode) || !root_only(&st)) {
			snprintf(err, errlen, "launch directory %s is not a directory that only root "
				 "can change", dir);
			return -1;
		}
	}
	return 0;
}

static int read_all(int fd, char *buf, size_t cap, size_t *len)
{
	*len = 0;
	for (;;) {
		ssize_t r = read(fd, buf + *len, cap - *len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		*len += (size_t)r;
		if (*len == cap)
			return 0;
	}
}

int hpcs_launch_parse(char *buf, size_t len, struct hpcs_launch *out, char *err, size_t errlen)
{
	char *items[HPCS_LAUNCH_MAX_ARGS + 3];
	size_t count = 0, pos = 0, i;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > HPCS_LAUNCH_MAX_BYTES || buf[len - 1] != '\0') {
		snprintf(err, errlen, "launch file is empty, longer than %d bytes or not "
			 "NUL-terminated", HPCS_LAUNCH_MAX_BYTES);
		return -1;
	}
	while (pos < len) {
		if (count == HPCS_LAUNCH_MAX_ARGS + 3) {
			snprintf(err, errlen, "launch file has more than %d arguments",
				 HPCS_LAUNCH_MAX_ARGS);
			return -1;
		}
		items[count++] = buf + pos;
		pos += strlen(buf + pos) + 1;
	}
	if (strncmp(items[0], "HPCS-LAUNCH-", 12) == 0 && strcmp(items[0], HPCS_LAUNCH_MAGIC) != 0) {
		snprintf(err, errlen, "launch file has the format %.32s, but this plugin reads %s; "
			 "install the SPANK plugin and the node agent of the same release and restart "
			 "the agent", items[0], HPCS_LAUNCH_MAGIC);
		return -1;
	}
	if (count < 4 || strcmp(items[0], HPCS_LAUNCH_MAGIC) != 0) {
		snprintf(err, errlen, "launch file does not start with %s and a command",
			 HPCS_LAUNCH_MAGIC);
		return -1;
	}
	if (strcmp(items[1], "argv") != 0 && strcmp(items[1], "args") != 0) {
		snprintf(err, errlen, "launch file has the unknown mode '%.16s'", items[1]);
		return -1;
	}
	if (items[2][0] != '\0' && (items[2][0] != '/' || strlen(items[2]) > HPCS_LAUNCH_MAX_OUTPUT)) {
		snprintf(err, errlen, "launch task output '%.64s' is not an absolute path of at most "
			 "%d bytes", items[2], HPCS_LAUNCH_MAX_OUTPUT);
		return -1;
	}
	if (items[3][0] != '/') {
		snprintf(err, errlen, "launch command '%.64s' is not an absolute path", items[3]);
		return -1;
	}
	out->argv = calloc(count - 2, sizeof(char *));
	if (out->argv == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 3; i < count; i++)
		out->argv[i - 3] = items[i];
	out->argc = count - 3;
	out->skip_task_argv0 = strcmp(items[1], "args") == 0;
	out->task_output = items[2][0] == '\0' ? NULL : items[2];
	return 0;
}

int hpcs_launch_read(const char *path, struct hpcs_launch *out, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len;
	int fd, rc = -1;

	memset(out, 0, sizeof(*out));
	if (path[0] != '/' || check_directories(path, err, errlen) < 0) {
		if (path[0] != '/')
			snprintf(err, errlen, "launch path '%.64s' is not absolute", path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "launch file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !root_only(&st) ||
	    st.st_size > HPCS_LAUNCH_MAX_BYTES) {
		snprintf(err, errlen, "launch file %s is not a regular file of at most %d bytes "
			 "that only root can change", path, HPCS_LAUNCH_MAX_BYTES);
		goto out;
	}
	buf = malloc(HPCS_LAUNCH_MAX_BYTES + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (read_all(fd, buf, HPCS_LAUNCH_MAX_BYTES + 1, &len) < 0) {
		snprintf(err, errlen, "launch file %s: read failed: %s", path, strerror(errno));
		goto out;
	}
	if (hpcs_launch_parse(buf, len, out, err, errlen) < 0)
		goto out;
	out->buf = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

char **hpcs_launch_argv(const struct hpcs_launch *launch, int task_argc, char **task_argv,
			char *err, size_t errlen)
{
	size_t skip = launch->skip_task_argv0 ? 1 : 0, extra, i;
	char **argv;

	if (task_argc < 1 || task_argv == NULL || (size_t)task_argc < skip) {
		snprintf(err, errlen, "the task has no command");
		return NULL;
	}
	extra = (size_t)task_argc - skip;
	argv = calloc(launch->argc + extra + 1, sizeof(char *));
	if (argv == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < launch->argc; i++)
		argv[i] = launch->argv[i];
	for (i = 0; i < extra; i++)
		argv[launch->argc + i] = task_argv[skip + i];
	return argv;
}

/*
 * Makes <task_output>.<task>.out the standard output and error of the calling process: opened
 * as the job user without following a symbolic link, created with mode 0600 or appended to, and
 * it must then be a regular file of that user. The path goes to path for messages.
 */
int hpcs_launch_redirect(const char *task_output, unsigned int task, char *path, size_t pathlen,
			 char *err, size_t errlen)
{
	struct stat st;
	int fd, n;

	n = snprintf(path, pathlen, "%s.%u.out", task_output, task);
	if (n < 0 || (size_t)n >= pathlen) {
		snprintf(err, errlen, "task output path '%.64s' is too long", task_output);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK |
		  O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "task output file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		snprintf(err, errlen, "task output file %s is not a regular file of uid %u", path,
			 (unsigned int)geteuid());
		close(fd);
		return -1;
	}
	/* O_NONBLOCK kept a FIFO from blocking the open; the task gets ordinary writes. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0 ||
	    dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
		snprintf(err, errlen, "task output file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void hpcs_launch_free(struct hpcs_launch *launch)
{
	free(launch->argv);
	free(launch->buf);
	memset(launch, 0, sizeof(*launch));
}
