/*
 * libxenpci: a small client of the xen-pci-agent xenstore protocol v1
 * (protocol/PROTOCOL.md).  Toolstacks and the xen-pci CLI link it from
 * build/lib/libxenpci.a together with libxenstore.
 *
 * A typical call:
 *
 *	struct xenpci_client *c = xenpci_client_open(0);
 *	struct xenpci_request *req = xenpci_request_new(XENPCI_OP_ASSIGNABLE_ADD);
 *	struct xenpci_reply *rep = NULL;
 *
 *	xenpci_request_set(req, XENPCI_REQ_SPEC, "07:00.0");
 *	rc = xenpci_call(c, req, 35000, &rep);
 *	if (rc < 0)
 *		... no answer: rc is -EHOSTDOWN, -ETIMEDOUT or another
 *		    -errno; xenpci_client_errmsg(c) says what and why ...
 *	else if (xenpci_reply_ok(rep))
 *		... done, rep->results holds result/... ...
 *	else
 *		... the agent refused: rep->error, rep->code ...
 *
 * Error convention: functions returning int return 0 (or a count) on
 * success and a negative errno value on failure; functions returning a
 * pointer return NULL and set errno.  After a failure of a function
 * taking a client, xenpci_client_errmsg() describes it with context
 * ("read /local/domain/0/pci-agent/state: Permission denied").
 *
 * The distinguished failures of the request functions are:
 *   -EHOSTDOWN   no agent: R/state is missing or not "running" (before
 *                the request was written, or while waiting for it);
 *   -ETIMEDOUT   the agent claims to run but gave no final status in time;
 *   -EEXIST      a request with this ID already exists;
 *   -EINVAL      a malformed ID, key or value.
 * Anything else is a xenstore failure (connection, permissions, ...).
 *
 * Not thread-safe: use one client per thread.
 */
#ifndef XENPCI_CLIENT_H
#define XENPCI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "xenpci_protocol.h"

/* Buffer sizes including the terminating NUL. */
#define XENPCI_KEY_LEN		13	/* "0000-07-00-0" */
#define XENPCI_BDF_LEN		13	/* "0000:07:00.0" */
#define XENPCI_REQ_ID_LEN	(XENPCI_REQ_ID_MAX + 1)

/* ------------------------------------------------------------------ */
/* Device keys and BDFs (xenpci_key.c); no xenstore needed.           */

struct xenpci_bdf {
	unsigned int domain;	/* 0..0xffff */
	unsigned int bus;	/* 0..0xff */
	unsigned int dev;	/* 0..0x1f */
	unsigned int func;	/* 0..7 */
};

/*
 * Parse a BDF "[DDDD:]BB:SS.F" (hex, no wildcard, nothing after it).
 * Returns 0 or -EINVAL.
 */
int xenpci_bdf_parse(const char *s, struct xenpci_bdf *bdf);

/* Parse a device key "DDDD-BB-SS-F" (as under R/devices, /libxl/pci). */
int xenpci_key_parse(const char *key, struct xenpci_bdf *bdf);

/* Format as a device key / as "0000:07:00.0".  Return buf. */
char *xenpci_bdf_key(const struct xenpci_bdf *bdf, char key[XENPCI_KEY_LEN]);
char *xenpci_bdf_str(const struct xenpci_bdf *bdf, char str[XENPCI_BDF_LEN]);

/*
 * Convert a BDF string to its device key in one step.
 * Returns 0 or -EINVAL.
 */
int xenpci_key_from_bdf(const char *bdf, char key[XENPCI_KEY_LEN]);

/* True if id is a valid request ID: 1..64 of [A-Za-z0-9_-]. */
bool xenpci_request_id_valid(const char *id);

/*
 * Generate a request ID that is unique across processes and domains
 * with overwhelming probability: prefix, pid, time and random bits,
 * e.g. "xen-pci-4242-18b2f0c1a9e3c2d1-1-9f3ac2e1".  prefix (may be
 * NULL, default "req") must be a valid ID of at most 16 characters.
 * Returns 0 or -EINVAL.
 */
int xenpci_request_id_generate(const char *prefix, char id[XENPCI_REQ_ID_LEN]);

/* ------------------------------------------------------------------ */
/* Connection (xenpci_client.c).                                       */

struct xenpci_client;

/*
 * Connect to xenstore (xs_open(0): $XENSTORED_PATH, else the default
 * socket or /dev/xen/xenbus) for the agent running in agent_domid.
 * Returns NULL with errno set on failure; no agent is needed to open.
 */
struct xenpci_client *xenpci_client_open(unsigned int agent_domid);
void xenpci_client_close(struct xenpci_client *c);

/* The agent root R, e.g. "/local/domain/0/pci-agent". */
const char *xenpci_client_root(const struct xenpci_client *c);

/* The libxenstore handle, for reading other nodes (R/devices, ...). */
struct xs_handle *xenpci_client_xs(struct xenpci_client *c);

/* The message describing the last failure; "" if none. */
const char *xenpci_client_errmsg(const struct xenpci_client *c);

/*
 * Is the agent serving?  Returns 1 if R/state is "running", 0 if it is
 * missing or anything else (state, if not NULL, receives a malloc'd
 * copy of the value or NULL when missing), negative errno on a
 * xenstore failure.
 */
int xenpci_agent_running(struct xenpci_client *c, char **state);

/* ------------------------------------------------------------------ */
/* Requests (xenpci_request.c).                                        */

struct xenpci_request;

/*
 * A new request for op (an XENPCI_OP_* value) with a generated ID.
 * Fields are added with xenpci_request_set(); "op" is written by
 * xenpci_request_submit() itself.  NULL + errno on failure.
 */
struct xenpci_request *xenpci_request_new(const char *op);
void xenpci_request_free(struct xenpci_request *req);

/* Replace the generated ID (must be valid).  0 or -EINVAL. */
int xenpci_request_set_id(struct xenpci_request *req, const char *id);
const char *xenpci_request_id(const struct xenpci_request *req);
const char *xenpci_request_op(const struct xenpci_request *req);

/*
 * Set a request field (XENPCI_REQ_SPEC, XENPCI_REQ_DOMID, "spec-1", ...).
 * key: a relative xenstore name of [A-Za-z0-9_@-], not "op" nor a reply
 * field; value: any string (copied).  Setting a key again replaces it.
 * 0, -EINVAL or -ENOMEM.
 */
int xenpci_request_set(struct xenpci_request *req, const char *key,
		       const char *value);
int xenpci_request_setf(struct xenpci_request *req, const char *key,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Write the request under R/requests/<ID>/ in ONE transaction, "op"
 * last, retrying the whole transaction on EAGAIN.  Inside the same
 * transaction it checks that R/state is "running" (else -EHOSTDOWN,
 * nothing written) and that an ID set with xenpci_request_set_id() is
 * unused (else -EEXIST); a generated ID is new by construction and not
 * read back.
 */
int xenpci_request_submit(struct xenpci_client *c, struct xenpci_request *req);

struct xenpci_result {
	char *key;	/* relative to result/, e.g. "vdev", "0000-07-00-0" */
	char *value;
};

struct xenpci_reply {
	char *status;		/* "ok" | "error" (final statuses only) */
	char *error;		/* message for a person, or NULL */
	char *code;		/* errno name, e.g. "ENODEV", or NULL */
	struct xenpci_result *results;	/* sorted by key */
	unsigned int nresults;
};

/*
 * Wait until the request has a final status (ok | error), then read
 * the reply.  Blocks in poll() on xs_fileno() with watches on
 * R/requests/<ID>/status and R/state; never busy-polls.
 *   0            *reply is set (check xenpci_reply_ok());
 *   -EHOSTDOWN   R/state is missing or not "running" and no final
 *                status was written;
 *   -ETIMEDOUT   no final status within timeout_ms.
 * The request is left in xenstore: remove it with xenpci_request_remove().
 */
int xenpci_request_wait(struct xenpci_client *c, struct xenpci_request *req,
			unsigned int timeout_ms, struct xenpci_reply **reply);

/* Read the current status ("accepted", ...), malloc'd; NULL if none. */
char *xenpci_request_status(struct xenpci_client *c,
			    const struct xenpci_request *req);

/* Remove R/requests/<ID>; a missing request is not an error. */
int xenpci_request_remove(struct xenpci_client *c,
			  const struct xenpci_request *req);

/*
 * submit + wait + remove.  The request is removed whatever the outcome
 * once it was written (the requester owns it), so an agent that starts
 * later does not act on a request nobody waits for.
 */
int xenpci_call(struct xenpci_client *c, struct xenpci_request *req,
		unsigned int timeout_ms, struct xenpci_reply **reply);

bool xenpci_reply_ok(const struct xenpci_reply *reply);
/* The value of result/<key>, or NULL. */
const char *xenpci_reply_result(const struct xenpci_reply *reply,
				const char *key);
void xenpci_reply_free(struct xenpci_reply *reply);

/* True for the final status values "ok" and "error". */
bool xenpci_status_final(const char *status);

#endif
