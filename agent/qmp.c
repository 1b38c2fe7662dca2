/*
 * QMP, as libxl 4.17 speaks it to qemu-xen (tools/libs/light/
 * libxl_qmp.c): connect to the unix socket <run dir>/qmp-libxl-<domid>,
 * read the greeting {"QMP": {"version": ..., "capabilities": [...]}},
 * send {"execute": "qmp_capabilities"}, then commands, each with an
 * "id" its answer ({"return": ...} or {"error": {"class", "desc"}})
 * carries back.  Events ({"event": ..., "data": ...}) may come between
 * any two messages; the only one the agent waits for is
 * DEVICE_DELETED, whose data.device is the qdev id.  Every message is
 * one JSON object ended by "\r\n" (QEMU's monitor_qmp_respond()).
 *
 * QEMU serves one QMP client on a socket at a time (a second connect
 * waits in the listen queue until the first goes), and xl needs this
 * socket as well: a session lasts one operation and is never held
 * while the agent waits for anything but QEMU.
 *
 * The parsing is yajl's (yajl_tree), the library libxl itself uses for
 * QMP, so every Xen dom0 has it.  The session runs on the request's
 * worker thread: every read is a poll() on the socket and the
 * request's cancel eventfd with the time left before the deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "qmp.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void qmp_path(char *buf, size_t len, unsigned int domid)
{
	snprintf(buf, len, "%s/" XENPCI_QMP_SOCK_FMT, cfg.run_dir, domid);
}

static int qfail(char *msg, size_t len, int err, unsigned int domid,
		 const char *what)
{
	snprintf(msg, len, "QMP of domain %u: %s%s%s", domid, what,
		 err ? ": " : "", err ? strerror(err) : "");
	return -err;
}

/* Waits until fd is readable (events) or writable; 0 or -errno. */
static int qmp_poll(struct qmp *q, short events, long long until)
{
	struct pollfd p[2] = {
		{ .fd = q->fd, .events = events },
		{ .fd = cancel_fd(q->cancel), .events = POLLIN },
	};
	long long left;
	int n;

	for (;;) {
		if (cancel_is_set(q->cancel))
			return -ECANCELED;
		left = until - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(p, 2, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && p[0].revents)
			return 0;
	}
}

static int qmp_send(struct qmp *q, const char *text, char *msg, size_t len)
{
	size_t off = 0, n = strlen(text);
	ssize_t w;
	int rc;

	log_msg(LOG_DEBUG, "QMP %u <- %s", q->domid, text);
	while (off < n) {
		rc = qmp_poll(q, POLLOUT, q->deadline_ms);
		if (rc)
			return qfail(msg, len, -rc, q->domid, "send");
		w = send(q->fd, text + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno != EINTR && errno != EAGAIN)
			return qfail(msg, len, errno == ECONNRESET ? EPIPE :
				     errno, q->domid, "send (QEMU went away?)");
		if (w > 0)
			off += (size_t)w;
	}
	return 0;
}

/* The next message, parsed; until bounds the wait.  0 or -errno. */
static int qmp_recv(struct qmp *q, yajl_val *out, long long until,
		    char *msg, size_t len)
{
	char err[128], *nl;
	ssize_t r;
	int rc;

	for (;;) {
		nl = memchr(q->buf, '\n', q->len);
		if (nl) {
			*nl = '\0';
			log_msg(LOG_DEBUG, "QMP %u -> %s", q->domid, q->buf);
			*out = yajl_tree_parse(q->buf, err, sizeof(err));
			q->len -= (size_t)(nl + 1 - q->buf);
			memmove(q->buf, nl + 1, q->len);
			if (*out && YAJL_IS_OBJECT(*out))
				return 0;
			yajl_tree_free(*out);
			return qfail(msg, len, EPROTO, q->domid,
				     "QEMU sent a message that is not a JSON "
				     "object");
		}
		if (q->len >= sizeof(q->buf) - 1)
			return qfail(msg, len, EMSGSIZE, q->domid,
				     "message from QEMU too long");
		rc = qmp_poll(q, POLLIN, until);
		if (rc)
			return qfail(msg, len, -rc, q->domid, rc == -ETIMEDOUT ?
				     "no answer from QEMU in time" : "wait");
		r = recv(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len,
			 0);
		if (r == 0)
			return qfail(msg, len, EPIPE, q->domid,
				     "QEMU closed the connection");
		if (r < 0 && errno != EINTR && errno != EAGAIN)
			return qfail(msg, len, errno, q->domid, "receive");
		if (r > 0)
			q->len += (size_t)r;
	}
}

static const char *str_at(yajl_val v, const char *a, const char *b)
{
	const char *path[] = { a, b, NULL };
	yajl_val s = yajl_tree_get(v, path, yajl_t_string);

	return s ? YAJL_GET_STRING(s) : NULL;
}

/* An event: DEVICE_DELETED is kept for qmp_wait_deleted(). */
static void note_event(struct qmp *q, yajl_val ev)
{
	const char *name = str_at(ev, "event", NULL);
	const char *dev = str_at(ev, "data", "device");

	if (!name || strcmp(name, "DEVICE_DELETED") || !dev)
		return;
	if (q->ndeleted == QMP_MAX_PENDING)
		q->ndeleted--;	/* forget the oldest one, keep the news */
	snprintf(q->deleted[q->ndeleted++], sizeof(q->deleted[0]), "%s", dev);
}

static bool is_event(yajl_val v)
{
	return str_at(v, "event", NULL) != NULL;
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}

static int qmp_connect(struct qmp *q, char *msg, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t l = sizeof(int);
	char what[160];
	int err = 0, rc;

	qmp_path(sa.sun_path, sizeof(sa.sun_path), q->domid);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (q->fd < 0)
		return qfail(msg, len, errno, q->domid, "socket");
	if (!connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return 0;
	err = errno;
	if (err == EINPROGRESS || err == EAGAIN) {
		/* QEMU is serving another client (xl): wait our turn. */
		rc = qmp_poll(q, POLLOUT, q->deadline_ms);
		err = -rc;
		if (!rc && getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &err, &l))
			err = errno;
		if (!err)
			return 0;
	}
	snprintf(what, sizeof(what), "connect to %s%s", sa.sun_path,
		 err == ENOENT || err == ECONNREFUSED ?
		 " (is its device model running?)" : "");
	qmp_close(q);
	return qfail(msg, len, err, q->domid, what);
}

int qmp_open(struct qmp *q, unsigned int domid, unsigned int timeout_ms,
	     const struct cancel *c, char *msg, size_t len)
{
	yajl_val v = NULL, ret = NULL;
	const char *greet[] = { "QMP", NULL };
	int rc;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->domid = domid;
	q->cancel = c;
	q->deadline_ms = now_ms() + timeout_ms;
	rc = qmp_connect(q, msg, len);
	if (rc)
		return rc;
	do {
		yajl_tree_free(v);
		rc = qmp_recv(q, &v, q->deadline_ms, msg, len);
	} while (!rc && is_event(v));
	if (!rc && !yajl_tree_get(v, greet, yajl_t_object))
		rc = qfail(msg, len, EPROTO, domid, "no QMP greeting");
	yajl_tree_free(v);
	if (!rc)
		rc = qmp_exec(q, "qmp_capabilities", NULL, &ret, msg, len);
	yajl_tree_free(ret);
	if (rc)
		qmp_close(q);
	return rc;
}

/* QEMU's error: "<cmd>: <desc> (<class>)". */
static int qmp_error(struct qmp *q, yajl_val v, const char *cmd, char *msg,
		     size_t len)
{
	const char *desc = str_at(v, "error", "desc");
	const char *cls = str_at(v, "error", "class");

	snprintf(msg, len, "QMP of domain %u: %s: %s%s%s%s", q->domid, cmd,
		 desc ? desc : "error without a description",
		 cls ? " (" : "", cls ? cls : "", cls ? ")" : "");
	return -EIO;
}

int qmp_exec(struct qmp *q, const char *cmd, const char *args,
	     yajl_val *ret, char *msg, size_t len)
{
	const char *idp[] = { "id", NULL }, *retp[] = { "return", NULL };
	const char *errp[] = { "error", NULL };
	char text[2048];
	unsigned int id = ++q->next_id;
	yajl_val v, idv;
	int rc;

	*ret = NULL;
	snprintf(text, sizeof(text), "{\"execute\":\"%s\"%s%s,\"id\":%u}\r\n",
		 cmd, args ? ",\"arguments\":" : "", args ? args : "", id);
	rc = qmp_send(q, text, msg, len);
	while (!rc) {
		rc = qmp_recv(q, &v, q->deadline_ms, msg, len);
		if (rc)
			break;
		idv = yajl_tree_get(v, idp, yajl_t_number);
		if (is_event(v) || !idv || !YAJL_IS_INTEGER(idv) ||
		    YAJL_GET_INTEGER(idv) != id) {
			/* An event, or the answer to an abandoned command. */
			note_event(q, v);
			yajl_tree_free(v);
			continue;
		}
		if (yajl_tree_get(v, errp, yajl_t_object))
			rc = qmp_error(q, v, cmd, msg, len);
		else if (!yajl_tree_get(v, retp, yajl_t_any))
			rc = qfail(msg, len, EPROTO, q->domid,
				   "answer without return or error");
		if (rc) {
			yajl_tree_free(v);
			break;
		}
		*ret = v;
		return 0;
	}
	return rc;
}

static bool take_deleted(struct qmp *q, const char *id)
{
	for (unsigned int i = 0; i < q->ndeleted; i++) {
		if (strcmp(q->deleted[i], id))
			continue;
		memmove(q->deleted[i], q->deleted[i + 1],
			(q->ndeleted - i - 1) * sizeof(q->deleted[0]));
		q->ndeleted--;
		return true;
	}
	return false;
}

int qmp_wait_deleted(struct qmp *q, const char *id, unsigned int wait_ms,
		     char *msg, size_t len)
{
	long long until = now_ms() + wait_ms;
	yajl_val v;
	int rc;

	if (until > q->deadline_ms)
		until = q->deadline_ms;
	while (!take_deleted(q, id)) {
		rc = qmp_recv(q, &v, until, msg, len);
		if (rc == -ETIMEDOUT)
			snprintf(msg, len, "QMP of domain %u: the guest did not "
				 "release %s (no DEVICE_DELETED from QEMU in "
				 "time)", q->domid, id);
		if (rc)
			return rc;
		note_event(q, v);
		yajl_tree_free(v);
	}
	return 0;
}
