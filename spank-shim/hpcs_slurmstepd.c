/*
 * slurmstepd (remote context): tell the node agent that a secured step starts and ends.
 *
 * Hook choice follows Slurm's failure semantics: an error from init or init_post_opt in
 * slurmstepd, like one from the prolog, can drain the node or requeue the job, while an
 * error from task_init_privileged fails only the step. So init, init_post_opt and user_init
 * never fail; they record what went wrong, and task_init_privileged reports it.
 *
 * task_init_privileged runs as root once per task, in each task's forked child. A shared
 * anonymous mapping with a robust process-shared mutex lets the first task of the step talk
 * to the agent and the others reuse its result, so the agent sees one step start per step.
 *
 * The agent's ok reply names the step's launch file. task_init, which runs as the job user
 * right before Slurm would exec the task, reads it and execs the container runtime with the
 * task's own argv appended, so the task runs inside the container in its own process tree.
 * Nothing runs unsecured: if anything is wrong, task_init fails the task.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <slurm/slurm.h>

#include "hpcs_client.h"
#include "hpcs_common.h"
#include "hpcs_launch.h"
#include "hpcs_slurmstepd.h"

/* The only environment the container runtime gets; it passes the container its own. */
static char *const runtime_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

enum step_state { STEP_NOT_SENT = 0, STEP_STARTED = 1, STEP_FAILED = 2 };

struct step_shared {
	pthread_mutex_t lock;
	int state;
	int sent;	/* a step_start reached the socket, so the agent may hold the step */
	char message[HPCS_MAX_PATH + 2048];
	char launch[HPCS_MAX_LAUNCH_PATH];	/* the agent's launch file for this step */
};

static struct {
	int secured;
	uint32_t job_id;
	uint32_t step_id;
	char node[HPCS_MAX_NODE_NAME + 1];
	char socket_path[128];
	char manifest_path[HPCS_MAX_PATH];
	unsigned char *manifest;
	size_t manifest_len;
	const char *source;
	char deferred_error[HPCS_MAX_PATH + 512];	/* reported by task_init_privileged */
	struct step_shared *shared;
} context;

static void defer_error(const char *fmt, const char *a, const char *b)
{
	if (context.deferred_error[0] == '\0')
		snprintf(context.deferred_error, sizeof(context.deferred_error), fmt, a, b);
}

static int shared_init(void)
{
	pthread_mutexattr_t attr;
	int rc = -1;

	context.shared = mmap(NULL, sizeof(*context.shared), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (context.shared == MAP_FAILED) {
		context.shared = NULL;
		return -1;
	}
	memset(context.shared, 0, sizeof(*context.shared));
	if (pthread_mutexattr_init(&attr) != 0)
		return -1;
	if (pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) == 0 &&
	    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) == 0 &&
	    pthread_mutex_init(&context.shared->lock, &attr) == 0)
		rc = 0;
	pthread_mutexattr_destroy(&attr);
	return rc;
}

int hpcs_slurmstepd_init(spank_t sp, int ac, char **av)
{
	/* The option must be registered here for Slurm to hand its value to this context. */
	if (hpcs_common_init(sp, ac, av) < 0)
		defer_error("registering option --%s failed%s", HPCS_OPTION, "");
	return 0;
}

int hpcs_slurmstepd_post_opt(spank_t sp, int ac, char **av)
{
	char err[512];
	const char *value;
	int requested;

	(void)ac;
	(void)av;
	requested = hpcs_secure_requested(sp, &value, &context.source);
	if (requested == 0)
		return 0;
	if (requested < 0)
		defer_error("%s in the job environment is longer than %s bytes", HPCS_ENV_TWIN,
			    "4095");
	if (spank_get_item(sp, S_JOB_ID, &context.job_id) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_STEPID, &context.step_id) != ESPANK_SUCCESS) {
		defer_error("job or step id not available%s%s", "", "");
		context.secured = 1;
		return 0;
	}
	/* The extern step holds no user tasks; it is never secured and never reported. */
	if (context.step_id == SLURM_EXTERN_CONT)
		return 0;
	context.secured = 1;
	if (shared_init() < 0)
		defer_error("shared step state could not be created: %s%s", strerror(errno), "");
	if (hpcs_node_name(sp, context.node, sizeof(context.node)) < 0) {
		snprintf(context.node, sizeof(context.node), "%s", "(unknown node)");
		defer_error("the node name is unknown: SLURMD_NODENAME is not set or invalid%s%s",
			    "", "");
	} else if (hpcs_agent_socket(context.node, context.socket_path,
				     sizeof(context.socket_path), err, sizeof(err)) < 0) {
		defer_error("%s%s", err, "");
	}
	return 0;
}

/* Runs with the job user's effective ids, so the manifest is read with the user's rights. */
int hpcs_slurmstepd_user_init(spank_t sp, int ac, char **av)
{
	char value[HPCS_MAX_PATH], base[HPCS_MAX_PATH], err[HPCS_MAX_PATH + 256];
	const char *option_value, *source;

	(void)ac;
	(void)av;
	if (!context.secured || context.deferred_error[0] != '\0')
		return 0;
	/* srun and sbatch pass the absolute path they checked; slurmrestd jobs pass only the value. */
	if (spank_getenv(sp, "SLURM_SPANK_" HPCS_CONTROL_MANIFEST, value, sizeof(value)) !=
	    ESPANK_SUCCESS) {
		if (hpcs_secure_requested(sp, &option_value, &source) != 1 ||
		    strlen(option_value) >= sizeof(value)) {
			defer_error("the manifest value is missing or too long%s%s", "", "");
			return 0;
		}
		snprintf(value, sizeof(value), "%s", option_value);
	}
	if (spank_getenv(sp, "SLURM_SUBMIT_DIR", base, sizeof(base)) != ESPANK_SUCCESS)
		base[0] = '\0';
	if (hpcs_manifest_resolve(value, base[0] != '\0' ? base : NULL, context.manifest_path,
				  sizeof(context.manifest_path), err, sizeof(err)) < 0 ||
	    (context.manifest_path[0] != '\0' &&
	     hpcs_manifest_read(context.manifest_path, &context.manifest, &context.manifest_len,
				err, sizeof(err)) < 0))
		defer_error("invalid %s: %s", context.source, err);
	return 0;
}

static void add_job_env(spank_t sp, struct hpcs_msg *msg, const char *key, const char *var)
{
	char value[1024];

	if (spank_getenv(sp, var, value, sizeof(value)) == ESPANK_SUCCESS)
		hpcs_msg_add(msg, key, value);
}

static void add_item(spank_t sp, struct hpcs_msg *msg, const char *key, spank_item_t item)
{
	uint32_t value = 0;

	if (spank_get_item(sp, item, &value) == ESPANK_SUCCESS)
		hpcs_msg_add_u32(msg, key, value);
}

/* The batch step's argv[0] is the host path of its script, which the container must see. */
static void add_batch_script(spank_t sp, struct hpcs_msg *msg)
{
	char **argv = NULL;
	int argc = 0;

	if (context.step_id != SLURM_BATCH_SCRIPT)
		return;
	if (spank_get_item(sp, S_JOB_ARGV, &argc, &argv) == ESPANK_SUCCESS && argc > 0 &&
	    argv != NULL && argv[0] != NULL)
		hpcs_msg_add(msg, "script", argv[0]);
}

/* Send step_start; on failure write the user-facing reason to context.shared->message. */
static int send_step_start(spank_t sp)
{
	struct step_shared *shared = context.shared;
	struct hpcs_reply reply;
	struct hpcs_msg msg;
	char err[512];
	uid_t uid = 0;
	gid_t gid = 0;
	int rc = -1;

	if (hpcs_msg_init(&msg, "step_start") < 0) {
		snprintf(shared->message, sizeof(shared->message), "out of memory");
		return -1;
	}
	hpcs_msg_add_u32(&msg, "job", context.job_id);
	hpcs_msg_add_u32(&msg, "step", context.step_id);
	hpcs_msg_add(&msg, "node", context.node);
	if (spank_get_item(sp, S_JOB_UID, &uid) == ESPANK_SUCCESS)
		hpcs_msg_add_u32(&msg, "uid", (uint32_t)uid);
	if (spank_get_item(sp, S_JOB_GID, &gid) == ESPANK_SUCCESS)
		hpcs_msg_add_u32(&msg, "gid", (uint32_t)gid);
	add_item(sp, &msg, "nnodes", S_JOB_NNODES);
	add_item(sp, &msg, "nodeid", S_JOB_NODEID);
	add_item(sp, &msg, "tasks", S_JOB_LOCAL_TASK_COUNT);
	add_job_env(sp, &msg, "partition", "SLURM_JOB_PARTITION");
	add_job_env(sp, &msg, "nodelist", "SLURM_JOB_NODELIST");
	hpcs_msg_add(&msg, "source", context.source);
	hpcs_msg_add(&msg, "manifest", context.manifest_path);
	add_batch_script(sp, &msg);
	if (context.manifest != NULL)
		hpcs_msg_add_base64(&msg, "manifest_data", context.manifest, context.manifest_len);
	shared->sent = 1;
	if (hpcs_agent_call(context.socket_path, hpcs_common()->config.timeout_seconds, &msg,
			    &reply, err, sizeof(err)) < 0)
		snprintf(shared->message, sizeof(shared->message),
			 "node agent unavailable on %s: %s", context.node, err);
	else if (reply.status != HPCS_STATUS_OK)
		snprintf(shared->message, sizeof(shared->message),
			 "node agent on %s rejected job %u step %u: %s", context.node,
			 context.job_id, context.step_id, reply.message);
	else if (reply.launch[0] == '\0')
		snprintf(shared->message, sizeof(shared->message),
			 "node agent on %s sent no launch file, so the step cannot run in its "
			 "container; install the node agent that matches this plugin", context.node);
	else
		rc = 0;
	if (rc == 0)
		memcpy(shared->launch, reply.launch, sizeof(shared->launch));
	hpcs_msg_free(&msg);
	return rc;
}

int hpcs_slurmstepd_task_init_privileged(spank_t sp, int ac, char **av)
{
	struct step_shared *shared = context.shared;
	int lock_rc, state;

	(void)ac;
	(void)av;
	if (!context.secured)
		return 0;
	if (shared == NULL) {
		slurm_error("hpcs: job %u step %u on %s not started: %s", context.job_id,
			    context.step_id, context.node, context.deferred_error);
		return -1;
	}
	lock_rc = pthread_mutex_lock(&shared->lock);
	if (lock_rc == EOWNERDEAD) {
		/* A task died while talking to the agent: the step start counts as failed. */
		if (shared->state == STEP_NOT_SENT) {
			shared->state = STEP_FAILED;
			snprintf(shared->message, sizeof(shared->message),
				 "a task of the step died while contacting the node agent on %s",
				 context.node);
		}
		pthread_mutex_consistent(&shared->lock);
	} else if (lock_rc != 0) {
		slurm_error("hpcs: job %u step %u on %s: locking the step state failed: %s",
			    context.job_id, context.step_id, context.node, strerror(lock_rc));
		return -1;
	}
	if (shared->state == STEP_NOT_SENT) {
		if (context.deferred_error[0] != '\0') {
			snprintf(shared->message, sizeof(shared->message), "%s",
				 context.deferred_error);
			shared->state = STEP_FAILED;
		} else {
			shared->state = send_step_start(sp) == 0 ? STEP_STARTED : STEP_FAILED;
		}
	}
	state = shared->state;
	pthread_mutex_unlock(&shared->lock);
	if (state == STEP_STARTED)
		return 0;
	slurm_error("hpcs: %s (job %u step %u); the step did not run", shared->message,
		    context.job_id, context.step_id);
	return -1;
}

/*
 * Sends what the task prints to its file in the job's encrypted output, so that no plaintext
 * reaches the Slurm output file. Before that, task 0 writes where the output goes to the stderr
 * that Slurm gave it.
 */
static int redirect_output(spank_t sp, const char *task_output)
{
	char path[PATH_MAX], err[PATH_MAX + 256];
	const char *name = strrchr(task_output, '/');
	uint32_t task = 0;

	if (spank_get_item(sp, S_TASK_GLOBAL_ID, &task) != ESPANK_SUCCESS) {
		slurm_error("hpcs: job %u step %u on %s: the task id is not available; the task did "
			    "not run", context.job_id, context.step_id, context.node);
		return -1;
	}
	if (task == 0)
		dprintf(STDERR_FILENO, "hpcs: job %u: the tasks of this step write their output to "
			"%s.<task>.out in the job's encrypted output\n", context.job_id, name + 1);
	if (hpcs_launch_redirect(task_output, task, path, sizeof(path), err, sizeof(err)) < 0) {
		slurm_error("hpcs: job %u step %u on %s: %s; the task did not run", context.job_id,
			    context.step_id, context.node, err);
		return -1;
	}
	return 0;
}

/* Runs as the job user right before Slurm's exec of the task; returns only on failure. */
int hpcs_slurmstepd_task_init(spank_t sp, int ac, char **av)
{
	struct step_shared *shared = context.shared;
	struct hpcs_launch launch;
	char err[HPCS_MAX_LAUNCH_PATH + 256];
	char **task_argv = NULL, **argv;
	int task_argc = 0;

	(void)ac;
	(void)av;
	if (!context.secured)
		return 0;
	if (shared == NULL || shared->state != STEP_STARTED || shared->launch[0] == '\0') {
		slurm_error("hpcs: job %u step %u on %s has no launch file from the node agent; "
			    "the task did not run", context.job_id, context.step_id, context.node);
		return -1;
	}
	if (hpcs_launch_read(shared->launch, &launch, err, sizeof(err)) < 0) {
		slurm_error("hpcs: job %u step %u on %s: %s; the task did not run",
			    context.job_id, context.step_id, context.node, err);
		return -1;
	}
	if (spank_get_item(sp, S_JOB_ARGV, &task_argc, &task_argv) != ESPANK_SUCCESS ||
	    (argv = hpcs_launch_argv(&launch, task_argc, task_argv, err, sizeof(err))) == NULL) {
		slurm_error("hpcs: job %u step %u on %s: the task's command is not available%s%s; "
			    "the task did not run", context.job_id, context.step_id, context.node,
			    task_argv == NULL ? "" : ": ", task_argv == NULL ? "" : err);
		hpcs_launch_free(&launch);
		return -1;
	}
	if (launch.task_output != NULL && redirect_output(sp, launch.task_output) < 0) {
		free(argv);
		hpcs_launch_free(&launch);
		return -1;
	}
	execve(argv[0], argv, runtime_env);
	slurm_error("hpcs: job %u step %u on %s: cannot run the container runtime %s: %s; "
		    "ask the site admins to check the node", context.job_id, context.step_id,
		    context.node, argv[0], strerror(errno));
	free(argv);
	hpcs_launch_free(&launch);
	return -1;
}

int hpcs_slurmstepd_exit(spank_t sp, int ac, char **av)
{
	struct hpcs_reply reply;
	struct hpcs_msg msg;
	char err[512];

	(void)sp;
	(void)ac;
	(void)av;
	/* Also after a failed start: the agent may have attached the step before the reply was lost. */
	if (context.secured && context.shared != NULL && context.shared->sent &&
	    hpcs_msg_init(&msg, "step_end") == 0) {
		hpcs_msg_add_u32(&msg, "job", context.job_id);
		hpcs_msg_add_u32(&msg, "step", context.step_id);
		hpcs_msg_add(&msg, "node", context.node);
		if (hpcs_agent_call(context.socket_path, hpcs_common()->config.timeout_seconds,
				    &msg, &reply, err, sizeof(err)) < 0)
			slurm_error("hpcs: node agent unavailable on %s: %s (step_end for job %u "
				    "step %u; the job end cleans up)", context.node, err,
				    context.job_id, context.step_id);
		hpcs_msg_free(&msg);
	}
	if (context.shared != NULL) {
		munmap(context.shared, sizeof(*context.shared));
		context.shared = NULL;
	}
	free(context.manifest);
	context.manifest = NULL;
	return 0;
}
