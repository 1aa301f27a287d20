/* Unit tests for the Slurm-free parts of the plugin: arguments, paths, manifests, codec, client. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hpcs_check.h"
#include "hpcs_client.h"
#include "hpcs_launch.h"
#include "hpcs_proto.h"

static int passed, failed;
static char tmpdir[] = "/tmp/hpcs-shim-test-XXXXXX";

#define CHECK(name, cond)                                                              \
	do {                                                                           \
		if (cond) {                                                            \
			passed++;                                                      \
		} else {                                                               \
			failed++;                                                      \
			fprintf(stderr, "FAIL %s (%s:%d): %s\n", name, __FILE__, __LINE__, \
				#cond);                                                \
		}                                                                      \
	} while (0)

static int config_of(int ac, char **av, struct hpcs_config *cfg, char *err)
{
	return hpcs_config_parse(ac, av, cfg, err, 512);
}

static void test_config(void)
{
	struct hpcs_config cfg;
	char err[512] = "";
	char *good[] = { "socket=/run/hpcs/%n/agent.sock", "timeout=5" };
	char *unknown[] = { "sockte=/x" };
	char *repeated[] = { "timeout=5", "timeout=6" };
	char *relative[] = { "socket=run/agent.sock" };
	char *zero[] = { "timeout=0" };
	char *suffix[] = { "timeout=5s" };

	CHECK("config_defaults", config_of(0, NULL, &cfg, err) == 0 &&
	      strcmp(cfg.socket_template, HPCS_DEFAULT_SOCKET) == 0 &&
	      cfg.timeout_seconds == HPCS_DEFAULT_TIMEOUT);
	CHECK("config_valid", config_of(2, good, &cfg, err) == 0 &&
	      strcmp(cfg.socket_template, "/run/hpcs/%n/agent.sock") == 0 &&
	      cfg.timeout_seconds == 5);
	CHECK("config_unknownKey", config_of(1, unknown, &cfg, err) < 0 &&
	      strstr(err, "sockte=/x") != NULL);
	CHECK("config_repeatedKey", config_of(2, repeated, &cfg, err) < 0 &&
	      strstr(err, "timeout=6") != NULL);
	CHECK("config_relativeSocket", config_of(1, relative, &cfg, err) < 0 &&
	      strstr(err, "absolute") != NULL);
	CHECK("config_zeroTimeout", config_of(1, zero, &cfg, err) < 0);
	CHECK("config_timeoutWithUnit", config_of(1, suffix, &cfg, err) < 0 &&
	      strstr(err, "timeout=5s") != NULL);
}

static void test_socket_path(void)
{
	char out[108], err[512];

	CHECK("socketPath_expandsNode",
	      hpcs_socket_path("/run/hpcs/%n/agent.sock", "n2", out, sizeof(out), err,
			       sizeof(err)) == 0 && strcmp(out, "/run/hpcs/n2/agent.sock") == 0);
	CHECK("socketPath_percent",
	      hpcs_socket_path("/run/a%%b", NULL, out, sizeof(out), err, sizeof(err)) == 0 &&
	      strcmp(out, "/run/a%b") == 0);
	CHECK("socketPath_missingNode",
	      hpcs_socket_path("/run/%n.sock", NULL, out, sizeof(out), err, sizeof(err)) < 0 &&
	      strstr(err, "SLURMD_NODENAME") != NULL);
	CHECK("socketPath_traversalNode",
	      hpcs_socket_path("/run/%n.sock", "../etc", out, sizeof(out), err,
			       sizeof(err)) < 0);
	CHECK("socketPath_unknownSequence",
	      hpcs_socket_path("/run/%u.sock", "n1", out, sizeof(out), err, sizeof(err)) < 0);
	CHECK("socketPath_tooLong",
	      hpcs_socket_path("/run/%n/%n/%n", "a234567890123456789012345678901234567890",
			       out, sizeof(out), err, sizeof(err)) < 0);
}

static void write_file(const char *name, const char *content, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (f == NULL || fwrite(content, 1, len, f) != len) {
		perror(path);
		exit(2);
	}
	fclose(f);
}

static int read_manifest(const char *name, char *err)
{
	char path[512];
	unsigned char *data = NULL;
	size_t len = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	rc = hpcs_manifest_read(path, &data, &len, err, 512);
	free(data);
	return rc;
}

static void test_manifest(void)
{
	char err[512], out[HPCS_MAX_PATH];
	char *big = malloc(HPCS_MAX_MANIFEST + 2);

	write_file("good.json", " {\"bundles\": []}\n", 17);
	write_file("empty.json", "", 0);
	write_file("text.json", "bundles: []\n", 12);
	write_file("nul.json", "{\"a\":\0}", 7);
	memset(big, ' ', HPCS_MAX_MANIFEST + 2);
	big[0] = '{';
	big[HPCS_MAX_MANIFEST] = '}';
	write_file("big.json", big, HPCS_MAX_MANIFEST + 1);
	free(big);
	CHECK("manifest_valid", read_manifest("good.json", err) == 0);
	CHECK("manifest_empty", read_manifest("empty.json", err) < 0 &&
	      strstr(err, "not a JSON object") != NULL);
	CHECK("manifest_notJson", read_manifest("text.json", err) < 0);
	CHECK("manifest_nulByte", read_manifest("nul.json", err) < 0);
	CHECK("manifest_tooBig", read_manifest("big.json", err) < 0 &&
	      strstr(err, "limit") != NULL);
	CHECK("manifest_missing", read_manifest("absent.json", err) < 0 &&
	      strstr(err, "No such file") != NULL);
	CHECK("manifest_directory", read_manifest(".", err) < 0 &&
	      strstr(err, "not a regular file") != NULL);
	CHECK("manifestResolve_relative",
	      hpcs_manifest_resolve("job.json", "/home/alice", out, sizeof(out), err, 512) == 0 &&
	      strcmp(out, "/home/alice/job.json") == 0);
	CHECK("manifestResolve_empty",
	      hpcs_manifest_resolve("", "/x", out, sizeof(out), err, 512) == 0 && out[0] == '\0');
	CHECK("manifestResolve_controlChar",
	      hpcs_manifest_resolve("a\nb", NULL, out, sizeof(out), err, 512) < 0);
}

static int parse_reply(const char *text, struct hpcs_reply *reply, char *err)
{
	char buf[HPCS_MAX_REPLY + 16];
	size_t len = strlen(text);

	memcpy(buf, text, len);
	return hpcs_reply_parse(buf, len, reply, err, 256);
}

static void test_reply(void)
{
	struct hpcs_reply r;
	char err[256];

	CHECK("reply_ok", parse_reply("v=1\nstatus=ok\n", &r, err) == 0 &&
	      r.status == HPCS_STATUS_OK);
	CHECK("reply_error", parse_reply("v=1\nstatus=error\nmessage=denied\n", &r, err) == 0 &&
	      r.status == HPCS_STATUS_ERROR && strcmp(r.message, "denied") == 0);
	CHECK("reply_errorWithoutMessage", parse_reply("v=1\nstatus=error\n", &r, err) < 0);
	CHECK("reply_unknownVersion", parse_reply("v=2\nstatus=ok\n", &r, err) < 0 &&
	      strstr(err, "version") != NULL);
	CHECK("reply_versionNotFirst", parse_reply("status=ok\nv=1\n", &r, err) < 0);
	CHECK("reply_unknownKey", parse_reply("v=1\nstatus=ok\nx=1\n", &r, err) < 0);
	CHECK("reply_duplicateKey", parse_reply("v=1\nstatus=ok\nstatus=ok\n", &r, err) < 0);
	CHECK("reply_truncated", parse_reply("v=1\nstatus=ok", &r, err) < 0);
	CHECK("reply_controlChar", parse_reply("v=1\nstatus=ok\rx\n", &r, err) < 0);
	CHECK("reply_unknownStatus", parse_reply("v=1\nstatus=maybe\n", &r, err) < 0);
	CHECK("reply_okWithoutLaunch", parse_reply("v=1\nstatus=ok\n", &r, err) == 0 &&
	      r.launch[0] == '\0');
	CHECK("reply_okWithLaunch",
	      parse_reply("v=1\nstatus=ok\nlaunch=/run/hpcs/launch/n1/7.0\n", &r, err) == 0 &&
	      strcmp(r.launch, "/run/hpcs/launch/n1/7.0") == 0);
	CHECK("reply_errorWithLaunch",
	      parse_reply("v=1\nstatus=error\nmessage=no\nlaunch=/x\n", &r, err) < 0 &&
	      strstr(err, "only an ok reply") != NULL);
	CHECK("reply_relativeLaunch", parse_reply("v=1\nstatus=ok\nlaunch=run/x\n", &r, err) < 0 &&
	      strstr(err, "not absolute") != NULL);
}

static void test_encoder(void)
{
	struct hpcs_msg m;
	const unsigned char *frame;
	size_t len;
	char *huge = malloc(HPCS_MAX_FRAME + 1);

	hpcs_msg_init(&m, "step_start");
	hpcs_msg_add_base64(&m, "a", (const unsigned char *)"hello", 5);
	hpcs_msg_add_base64(&m, "b", (const unsigned char *)"hi", 2);
	CHECK("encoder_base64", hpcs_msg_frame(&m, &frame, &len) == 0 &&
	      memmem(frame, len, "a=aGVsbG8=\nb=aGk=\n", 18) != NULL);
	CHECK("encoder_header", len > 4 && frame[0] == 0 && frame[3] == len - 4);
	hpcs_msg_free(&m);
	hpcs_msg_init(&m, "step_start");
	hpcs_msg_add(&m, "manifest", "a\nb");
	CHECK("encoder_rejectsNewline", hpcs_msg_frame(&m, &frame, &len) < 0);
	hpcs_msg_free(&m);
	memset(huge, 'x', HPCS_MAX_FRAME);
	huge[HPCS_MAX_FRAME] = '\0';
	hpcs_msg_init(&m, "step_start");
	hpcs_msg_add(&m, "big", huge);
	CHECK("encoder_rejectsOversize", hpcs_msg_frame(&m, &frame, &len) < 0);
	hpcs_msg_free(&m);
	free(huge);
}

/* Fork a server that accepts one connection, reads a request, waits, then writes reply. */
static pid_t serve_once(const char *path, const void *reply, size_t len, int delay_ms)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	unlink(path);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 4) < 0) {
		perror("listen");
		exit(2);
	}
	pid = fork();
	if (pid == 0) {
		char buf[4096];
		int c = accept(fd, NULL, NULL);

		if (read(c, buf, sizeof(buf)) < 0)
			_exit(3);
		usleep((useconds_t)delay_ms * 1000);
		if (len > 0 && write(c, reply, len) < 0)
			_exit(3);
		usleep(200000);
		_exit(0);
	}
	close(fd);
	return pid;
}

static int call(const char *path, int timeout, struct hpcs_reply *r, char *err)
{
	struct hpcs_msg m;
	int rc;

	hpcs_msg_init(&m, "step_start");
	hpcs_msg_add_u32(&m, "job", 7);
	rc = hpcs_agent_call(path, timeout, &m, r, err, 512);
	hpcs_msg_free(&m);
	return rc;
}

static void finish(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_client(void)
{
	static const char ok[] = "\0\0\0\016v=1\nstatus=ok\n";
	static const char progress_ok[] =
		"\0\0\0\036v=1\nstatus=progress\nmessage=x\n\0\0\0\016v=1\nstatus=ok\n";
	static const char oversize[] = "\0\1\0\0v=1\n";
	static const char truncated[] = "\0\0\0\016v=1\nst";
	struct hpcs_reply r;
	char path[256], err[512];
	struct timespec t0, t1;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/agent.sock", tmpdir);
	CHECK("client_noSocket", call("/nonexistent/agent.sock", 2, &r, err) < 0 &&
	      strstr(err, "No such file") != NULL);
	pid = serve_once(path, ok, sizeof(ok) - 1, 0);
	CHECK("client_ok", call(path, 2, &r, err) == 0 && r.status == HPCS_STATUS_OK);
	finish(pid);
	pid = serve_once(path, progress_ok, sizeof(progress_ok) - 1, 0);
	CHECK("client_progressThenOk", call(path, 2, &r, err) == 0 && r.status == HPCS_STATUS_OK);
	finish(pid);
	pid = serve_once(path, oversize, sizeof(oversize) - 1, 0);
	CHECK("client_oversizeReply", call(path, 2, &r, err) < 0 && strstr(err, "exceeds") != NULL);
	finish(pid);
	pid = serve_once(path, truncated, sizeof(truncated) - 1, 0);
	CHECK("client_truncatedReply", call(path, 2, &r, err) < 0 &&
	      strstr(err, "connection closed") != NULL);
	finish(pid);
	pid = serve_once(path, ok, sizeof(ok) - 1, 5000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK("client_silentAgentTimesOut", call(path, 1, &r, err) < 0 &&
	      strstr(err, "timed out") != NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK("client_timeoutBounded", t1.tv_sec - t0.tv_sec < 4);
	finish(pid);
	unlink(path);
}

static int parse_launch(const char *bytes, size_t len, struct hpcs_launch *l, char *err)
{
	static char buf[HPCS_LAUNCH_MAX_BYTES + 16];

	memcpy(buf, bytes, len);
	return hpcs_launch_parse(buf, len, l, err, 256);
}

#define LAUNCH(text) text, sizeof(text) - 1

static void test_launch_parse(void)
{
	struct hpcs_launch l;
	char err[256];

	CHECK("launchParse_argvMode",
	      parse_launch(LAUNCH("HPCS-LAUNCH-2\0argv\0\0/usr/bin/bwrap\0--\0"), &l, err) == 0 &&
	      l.argc == 2 && strcmp(l.argv[0], "/usr/bin/bwrap") == 0 &&
	      strcmp(l.argv[1], "--") == 0 && l.argv[2] == NULL && !l.skip_task_argv0);
	free(l.argv);
	CHECK("launchParse_argsMode",
	      parse_launch(LAUNCH("HPCS-LAUNCH-2\0args\0\0/b\0/tmp/s\0"), &l, err) == 0 &&
	      l.skip_task_argv0);
	free(l.argv);
	CHECK("launchParse_emptyArgumentKept",
	      parse_launch(LAUNCH("HPCS-LAUNCH-2\0argv\0\0/b\0\0x\0"), &l, err) == 0 &&
	      l.argc == 3 && l.argv[1][0] == '\0');
	free(l.argv);
	CHECK("launchParse_otherVersion",
	      parse_launch(LAUNCH("HPCS-LAUNCH-1\0argv\0/b\0"), &l, err) < 0 &&
	      strstr(err, "format HPCS-LAUNCH-1, but this plugin reads HPCS-LAUNCH-2") != NULL);
	CHECK("launchParse_wrongMagic",
	      parse_launch(LAUNCH("LAUNCH\0argv\0\0/b\0"), &l, err) < 0 &&
	      strstr(err, "does not start with HPCS-LAUNCH-2") != NULL);
	CHECK("launchParse_noTaskOutput",
	      parse_launch(LAUNCH("HPCS-LAUNCH-2\0argv\0\0/b\0"), &l, err) == 0 &&
	      l.task_output == NULL);
	free(l.argv);
	CHECK("launchParse_taskOutput",
	      parse_launch(LAUNCH("HPCS-LAUNCH-2\0argv\0/run/j/output/hpcs-step-0\0/b\0"), &l,
			   err) == 0 &&
	      strcmp(l.task_output, "/run/j/output/hpcs-step-0") == 0 && l.argc == 1 &&
	      strcmp(l.argv[0], "/b") == 0);
	free(l.argv);
	CHECK("launchParse_relativeTaskOutput",
	      parse_launch(LAUNCH("HPCS-LAUNCH-2\0argv\0out\0/b\0"), &l, err) < 0 &&
	      strstr(err, "task output") != NULL);
	CHECK("launchParse_unknownMode",
	      parse_launch(LAUNCH("HPCS-LAUNCH-2\0all\0\0/b\0"), &l, err) < 0 &&
	      strstr(err, "unknown mode") != NULL);
	CHECK("launchParse_noCommand",
	      parse_launch(LAUNCH("HPCS-LAUNCH-2\0argv\0\0"), &l, err) < 0);
	CHECK("launchParse_relativeCommand",
	      parse_launch(LAUNCH("HPCS-LAUNCH-2\0argv\0\0bwrap\0"), &l, err) < 0 &&
	      strstr(err, "not an absolute path") != NULL);
	CHECK("launchParse_notTerminated",
	      parse_launch(LAUNCH("HPCS-LAUNCH-2\0argv\0\0/b"), &l, err) < 0 &&
	      strstr(err, "NUL-terminated") != NULL);
	CHECK("launchParse_empty", parse_launch("", 0, &l, err) < 0);
}

static void test_launch_too_many_args(void)
{
	static char buf[HPCS_LAUNCH_MAX_BYTES];
	struct hpcs_launch l;
	char err[256];
	size_t len = 0;
	int i;

	len += (size_t)sprintf(buf + len, "HPCS-LAUNCH-2") + 1;
	len += (size_t)sprintf(buf + len, "argv") + 1;
	buf[len++] = '\0';
	for (i = 0; i <= HPCS_LAUNCH_MAX_ARGS; i++)
		len += (size_t)sprintf(buf + len, "/a") + 1;
	CHECK("launchParse_tooManyArguments", hpcs_launch_parse(buf, len, &l, err, 256) < 0 &&
	      strstr(err, "more than") != NULL);
}

static void test_launch_argv(void)
{
	struct hpcs_launch l;
	char err[256], *task[] = { "/usr/bin/jp2a", "--width=60", "in.png", NULL };
	char **argv;

	parse_launch(LAUNCH("HPCS-LAUNCH-2\0argv\0\0/usr/bin/bwrap\0--\0"), &l, err);
	argv = hpcs_launch_argv(&l, 3, task, err, sizeof(err));
	CHECK("launchArgv_appendsTaskArgv", argv != NULL &&
	      strcmp(argv[0], "/usr/bin/bwrap") == 0 && strcmp(argv[1], "--") == 0 &&
	      strcmp(argv[2], "/usr/bin/jp2a") == 0 && strcmp(argv[4], "in.png") == 0 &&
	      argv[5] == NULL);
	free(argv);
	CHECK("launchArgv_noTaskCommand", hpcs_launch_argv(&l, 0, task, err, sizeof(err)) == NULL &&
	      strstr(err, "no command") != NULL);
	free(l.argv);
	parse_launch(LAUNCH("HPCS-LAUNCH-2\0args\0\0/b\0/tmp/hpcs-job-script\0"), &l, err);
	argv = hpcs_launch_argv(&l, 3, task, err, sizeof(err));
	CHECK("launchArgv_argsModeDropsArgv0", argv != NULL &&
	      strcmp(argv[1], "/tmp/hpcs-job-script") == 0 &&
	      strcmp(argv[2], "--width=60") == 0 && argv[4] == NULL);
	free(argv);
	free(l.argv);
}

/* A directory only root can change, below the test binary's directory (not the 1777 /tmp). */
static char launch_dir[PATH_MAX];

static void write_launch(const char *name, const char *bytes, size_t len, mode_t mode)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", launch_dir, name);
	f = fopen(path, "w");
	if (f == NULL || fwrite(bytes, 1, len, f) != len || fclose(f) != 0 ||
	    chmod(path, mode) != 0) {
		perror(path);
		exit(2);
	}
}

static int read_launch(const char *name, char *err)
{
	char path[PATH_MAX + 64];
	struct hpcs_launch l;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", launch_dir, name);
	rc = hpcs_launch_read(path, &l, err, 512);
	if (rc == 0)
		hpcs_launch_free(&l);
	return rc;
}

static void test_launch_read(void)
{
	char err[512], path[PATH_MAX + 64];

	if (geteuid() != 0) {
		printf("test_units: launch file checks skipped (they need root)\n");
		return;
	}
	/* The reader refuses a path below a directory that others may write, such as /tmp,
	 * so the test files live in /run (root-owned, mode 0755), as the agent's files do. */
	snprintf(launch_dir, sizeof(launch_dir), "/run/hpcs-shim-test-XXXXXX");
	if (mkdtemp(launch_dir) == NULL || chmod(launch_dir, 0711) != 0) {
		perror(launch_dir);
		exit(2);
	}
	write_launch("good", LAUNCH("HPCS-LAUNCH-2\0argv\0\0/usr/bin/bwrap\0"), 0640);
	write_launch("groupWritable", LAUNCH("HPCS-LAUNCH-2\0argv\0\0/b\0"), 0660);
	write_launch("userOwned", LAUNCH("HPCS-LAUNCH-2\0argv\0\0/b\0"), 0644);
	snprintf(path, sizeof(path), "%s/userOwned", launch_dir);
	CHECK("launchRead_setup", chown(path, 1, 1) == 0);
	snprintf(path, sizeof(path), "%s/link", launch_dir);
	CHECK("launchRead_setupLink", symlink("good", path) == 0);
	snprintf(path, sizeof(path), "%s/fifo", launch_dir);
	CHECK("launchRead_setupFifo", mkfifo(path, 0644) == 0);

	CHECK("launchRead_valid", read_launch("good", err) == 0);
	CHECK("launchRead_groupWritable", read_launch("groupWritable", err) < 0 &&
	      strstr(err, "only root can change") != NULL);
	CHECK("launchRead_notRootOwned", read_launch("userOwned", err) < 0 &&
	      strstr(err, "only root can change") != NULL);
	CHECK("launchRead_symlink", read_launch("link", err) < 0);
	CHECK("launchRead_fifo", read_launch("fifo", err) < 0 &&
	      strstr(err, "not a regular file") != NULL);
	CHECK("launchRead_missing", read_launch("absent", err) < 0 &&
	      strstr(err, "No such file") != NULL);
	CHECK("launchRead_relativePath",
	      hpcs_launch_read("launch/7.0", &(struct hpcs_launch){ 0 }, err, 512) < 0 &&
	      strstr(err, "not absolute") != NULL);
	chmod(launch_dir, 0777);
	CHECK("launchRead_writableDirectory", read_launch("good", err) < 0 &&
	      strstr(err, "launch directory") != NULL);
	snprintf(path, sizeof(path), "rm -rf '%s'", launch_dir);
	CHECK("launchRead_cleanup", system(path) == 0);
}

/* Runs hpcs_launch_redirect in a child that then prints to stdout and stderr; returns its status. */
static int redirect_in_child(const char *base, unsigned int task, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		if (hpcs_launch_redirect(base, task, path, sizeof(path), err, errlen) < 0) {
			n = write(pipefd[1], err, strlen(err));
			_exit(n < 0 ? 3 : 1);
		}
		printf("to stdout\n");
		fflush(stdout);
		fprintf(stderr, "to stderr\n");
		_exit(0);
	}
	close(pipefd[1]);
	n = read(pipefd[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_launch_redirect(void)
{
	char base[PATH_MAX], path[PATH_MAX + 16], text[64] = { 0 }, err[PATH_MAX + 256];
	char longbase[PATH_MAX + 8];
	struct stat st;
	int reader;
	FILE *f;

	snprintf(base, sizeof(base), "%s/hpcs-step-0", tmpdir);
	snprintf(path, sizeof(path), "%s.2.out", base);
	CHECK("launchRedirect_writesBothStreams", redirect_in_child(base, 2, err, sizeof(err)) == 0);
	f = fopen(path, "r");
	CHECK("launchRedirect_fileCreated", f != NULL && fread(text, 1, sizeof(text) - 1, f) > 0 &&
	      strcmp(text, "to stdout\nto stderr\n") == 0);
	if (f != NULL)
		fclose(f);
	CHECK("launchRedirect_ownerOnly", stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK("launchRedirect_appends", redirect_in_child(base, 2, err, sizeof(err)) == 0 &&
	      stat(path, &st) == 0 && st.st_size == 2 * 20);

	snprintf(path, sizeof(path), "%s.3.out", base);
	CHECK("launchRedirect_symlinkSetUp", symlink("/etc/hostname", path) == 0);
	CHECK("launchRedirect_symlinkRejected", redirect_in_child(base, 3, err, sizeof(err)) == 1 &&
	      strstr(err, "task output file") != NULL);
	snprintf(path, sizeof(path), "%s.4.out", base);
	CHECK("launchRedirect_fifoSetUp", mkfifo(path, 0600) == 0);
	CHECK("launchRedirect_fifoRejected", redirect_in_child(base, 4, err, sizeof(err)) == 1 &&
	      strstr(err, path) != NULL);
	/* With a reader the open succeeds, so only the file type check rejects it. */
	reader = open(path, O_RDONLY | O_NONBLOCK);
	CHECK("launchRedirect_fifoWithReaderRejected", reader >= 0 &&
	      redirect_in_child(base, 4, err, sizeof(err)) == 1 &&
	      strstr(err, "is not a regular file") != NULL);
	if (reader >= 0)
		close(reader);
	snprintf(path, sizeof(path), "%s.5.out", base);
	CHECK("launchRedirect_directorySetUp", mkdir(path, 0700) == 0);
	CHECK("launchRedirect_directoryRejected", redirect_in_child(base, 5, err, sizeof(err)) == 1 &&
	      strstr(err, path) != NULL);
	memset(longbase, 'a', sizeof(longbase) - 1);
	longbase[0] = '/';
	longbase[sizeof(longbase) - 1] = '\0';
	CHECK("launchRedirect_pathTooLong", redirect_in_child(longbase, 0, err, sizeof(err)) == 1 &&
	      strstr(err, "too long") != NULL);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_config();
	test_socket_path();
	test_manifest();
	test_reply();
	test_launch_parse();
	test_launch_too_many_args();
	test_launch_argv();
	test_launch_read();
	test_launch_redirect();
	test_encoder();
	test_client();
	printf("test_units: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
