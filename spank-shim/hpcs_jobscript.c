/*
 * Job prolog and epilog (run by slurmd as root, once per job on each node). Both only notify
 * the node agent and always return 0: a failing prolog or epilog drains the node and
 * requeues the job, so every check that can fail a job runs in slurmstepd instead.
 */
#include <stdlib.h>
#include <string.h>

#include "hpcs_client.h"
#include "hpcs_common.h"
#include "hpcs_jobscript.h"

#define HPCS_NOTIFY_TIMEOUT 5	/* seconds, for job_start and job_end */

int hpcs_jobscript_init(spank_t sp, int ac, char **av)
{
	/* Registration lets Slurm pass the option into this context; a failure is only logged. */
	(void)hpcs_common_init(sp, ac, av);
	return 0;
}

/* The option, or the manifest path that the submit-time check passed on, marks a secured job. */
static const char *secured_manifest(spank_t sp)
{
	const char *value, *source;
	const char *path = getenv("SPANK_" HPCS_CONTROL_MANIFEST);

	if (path != NULL)
		return path;
	if (hpcs_secure_requested(sp, &value, &source) != 0)
		return value;
	return NULL;
}

static void notify(spank_t sp, const char *op, const char *manifest, int secured)
{
	char node[HPCS_MAX_NODE_NAME + 1], socket_path[128], err[512];
	struct hpcs_reply reply;
	struct hpcs_msg msg;
	uint32_t job_id = 0;
	uid_t uid = (uid_t)-1;
	int timeout = hpcs_common()->config.timeout_seconds;

	if (spank_get_item(sp, S_JOB_ID, &job_id) != ESPANK_SUCCESS)
		return;
	if (hpcs_node_name(sp, node, sizeof(node)) < 0) {
		if (secured)
			slurm_error("hpcs: %s for job %u not sent: SLURMD_NODENAME is not set", op,
				    job_id);
		return;
	}
	if (hpcs_agent_socket(node, socket_path, sizeof(socket_path), err, sizeof(err)) < 0) {
		if (secured)
			slurm_error("hpcs: %s for job %u on %s not sent: %s", op, job_id, node, err);
		return;
	}
	if (hpcs_msg_init(&msg, op) < 0)
		return;
	/* A hung agent must not hold the prolog for long: the step start checks the agent anyway. */
	if (timeout > HPCS_NOTIFY_TIMEOUT)
		timeout = HPCS_NOTIFY_TIMEOUT;
	hpcs_msg_add_u32(&msg, "job", job_id);
	hpcs_msg_add(&msg, "node", node);
	if (spank_get_item(sp, S_JOB_UID, &uid) == ESPANK_SUCCESS)
		hpcs_msg_add_u32(&msg, "uid", (uint32_t)uid);
	if (manifest != NULL)
		hpcs_msg_add(&msg, "manifest", manifest);
	if (hpcs_agent_call(socket_path, timeout, &msg, &reply, err, sizeof(err)) < 0) {
		if (secured)
			slurm_error("hpcs: node agent unavailable on %s: %s (%s for job %u; the "
				    "agent cleans up when it is back)", node, err, op, job_id);
	} else if (reply.status == HPCS_STATUS_ERROR && secured) {
		slurm_error("hpcs: node agent on %s: %s for job %u: %s", node, op, job_id,
			    reply.message);
	}
	hpcs_msg_free(&msg);
}

int hpcs_jobscript_prolog(spank_t sp, int ac, char **av)
{
	const char *manifest;

	hpcs_common_config(ac, av);
	manifest = secured_manifest(sp);
	if (manifest != NULL)
		notify(sp, "job_start", manifest, 1);
	return 0;
}

int hpcs_jobscript_epilog(spank_t sp, int ac, char **av)
{
	const char *manifest;

	hpcs_common_config(ac, av);
	manifest = secured_manifest(sp);
	/*
	 * Jobs submitted through slurmrestd carry HPCS_SECURE only in the job environment, which
	 * the epilog cannot read. So every job's end is announced: the agent ignores jobs it does
	 * not track, and errors are logged only for jobs known to be secured.
	 */
	notify(sp, "job_end", NULL, manifest != NULL);
	return 0;
}
