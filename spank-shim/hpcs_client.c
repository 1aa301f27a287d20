/*
 * Every wait (connect, each write, each read of a frame) is bounded by the timeout, so an
 * agent that is down or hung fails the caller within seconds. The agent may send "progress"
 * replies while it works; each one restarts the read timeout.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hpcs_client.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events or the deadline passes; 0 ready, -1 with errno set. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long long left = deadline - now_ms();
		int r;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		return 0;
	}
}

static int connect_agent(const char *path, long long deadline, char *err, size_t errlen)
{
	struct sockaddr_un addr;
	int fd;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "socket path %s is too long", path);
		return -1;
	}
	memcpy(addr.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
			return fd;
		if (errno == EINTR)
			continue;
		/* EAGAIN: the agent's listen backlog is full; retry until the deadline. */
		if (errno == EAGAIN && now_ms() < deadline) {
			usleep(20000);
			continue;
		}
		if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) == 0) {
			int soerr = 0;
			socklen_t slen = sizeof(soerr);

			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) == 0 && soerr == 0)
				return fd;
			errno = soerr != 0 ? soerr : errno;
		}
		snprintf(err, errlen, "connect to %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
}

static int write_all(int fd, const unsigned char *buf, size_t len, long long deadline)
{
	while (len > 0) {
		ssize_t w;

		if (wait_fd(fd, POLLOUT, deadline) < 0)
			return -1;
		w = send(fd, buf, len, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Read exactly len bytes; 0 on success, -1 with errno (0 for a closed connection). */
static int read_all(int fd, unsigned char *buf, size_t len, long long deadline)
{
	while (len > 0) {
		ssize_t r;

		if (wait_fd(fd, POLLIN, deadline) < 0)
			return -1;
		r = recv(fd, buf, len, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = 0;
			return -1;
		}
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

static const char *io_error(void)
{
	return errno == 0 ? "connection closed by the agent" : strerror(errno);
}

static int read_reply(int fd, int timeout_seconds, struct hpcs_reply *reply, char *err,
		      size_t errlen)
{
	char payload[HPCS_MAX_REPLY + 1];
	char perr[256];

	for (;;) {
		long long deadline = now_ms() + (long long)timeout_seconds * 1000;
		unsigned char header[4];
		uint32_t len;

		if (read_all(fd, header, sizeof(header), deadline) < 0) {
			snprintf(err, errlen, "reading reply: %s", io_error());
			return -1;
		}
		if (hpcs_frame_length(header, HPCS_MAX_REPLY, &len) < 0) {
			snprintf(err, errlen, "reply frame length is 0 or exceeds %d bytes",
				 HPCS_MAX_REPLY);
			return -1;
		}
		if (read_all(fd, (unsigned char *)payload, len, deadline) < 0) {
			snprintf(err, errlen, "reading reply: %s", io_error());
			return -1;
		}
		if (hpcs_reply_parse(payload, len, reply, perr, sizeof(perr)) < 0) {
			snprintf(err, errlen, "malformed reply: %s", perr);
			return -1;
		}
		if (reply->status != HPCS_STATUS_PROGRESS)
			return 0;
	}
}

int hpcs_agent_call(const char *socket_path, int timeout_seconds, struct hpcs_msg *request,
		    struct hpcs_reply *reply, char *err, size_t errlen)
{
	long long deadline = now_ms() + (long long)timeout_seconds * 1000;
	const unsigned char *frame;
	size_t frame_len;
	int fd, rc;

	if (hpcs_msg_frame(request, &frame, &frame_len) < 0) {
		snprintf(err, errlen, "request could not be encoded (a value is invalid or the "
			 "request exceeds %d bytes)", HPCS_MAX_FRAME);
		return -1;
	}
	fd = connect_agent(socket_path, deadline, err, errlen);
	if (fd < 0)
		return -1;
	if (write_all(fd, frame, frame_len, deadline) < 0) {
		snprintf(err, errlen, "sending request to %s: %s", socket_path, strerror(errno));
		close(fd);
		return -1;
	}
	rc = read_reply(fd, timeout_seconds, reply, err, errlen);
	close(fd);
	return rc;
}
