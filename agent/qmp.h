/*
 * A QMP client for qemu-xen's libxl socket (qmp.c): one session per
 * operation, on the request's worker thread, every wait bounded by a
 * deadline and the request's cancel.
 */
#ifndef XENPCI_QMP_H
#define XENPCI_QMP_H

#include <stdbool.h>
#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "cancel.h"

#define QMP_MAX_PENDING	8

struct qmp {
	int fd;
	unsigned int domid;
	const struct cancel *cancel;
	long long deadline_ms;		/* CLOCK_MONOTONIC */
	unsigned int next_id;
	char buf[65536];		/* bytes read, not yet a line */
	size_t len;
	/* DEVICE_DELETED events seen while waiting for something else. */
	char deleted[QMP_MAX_PENDING][64];
	unsigned int ndeleted;
};

/*
 * Connects to <run dir>/qmp-libxl-<domid>, reads the greeting and
 * leaves capabilities negotiation: ready for commands.  Every wait of
 * the session ends at timeout_ms from now or when c is set.
 * 0 or -errno with msg set.
 */
int qmp_open(struct qmp *q, unsigned int domid, unsigned int timeout_ms,
	     const struct cancel *c, char *msg, size_t len);
void qmp_close(struct qmp *q);

/*
 * Runs `cmd` with the arguments args (a JSON object text, or NULL) and
 * waits for its answer.  0 and *ret the parsed answer (free it with
 * yajl_tree_free(); yajl_tree_get(*ret, {"return"}) is the value), or
 * -errno with msg set: -EIO for QEMU's error (msg has its class and
 * desc), -ETIMEDOUT, -ECANCELED, -EPIPE for a QEMU that went away.
 */
int qmp_exec(struct qmp *q, const char *cmd, const char *args,
	     yajl_val *ret, char *msg, size_t len);

/*
 * Waits for the event DEVICE_DELETED of qdev id `id` (one seen during
 * an earlier command counts), until wait_ms from now (and the session's
 * deadline) or the cancel.  0 or -errno with msg set.
 */
int qmp_wait_deleted(struct qmp *q, const char *id, unsigned int wait_ms,
		     char *msg, size_t len);

/* The socket's path for domid. */
void qmp_path(char *buf, size_t len, unsigned int domid);

#endif
