/*
 * A request's xenstore I/O (reqio.c): its directory read in one
 * transaction, its status written in one, its name= specs resolved,
 * and the directory removed when reaped.  All on the agent's own
 * connection, from the loop.
 */
#ifndef XENPCI_REQIO_H
#define XENPCI_REQIO_H

#include <stdbool.h>

#include "ops.h"
#include "xs.h"
#include "reqparse.h"

struct req_fields {
	char **names, **vals;	/* vals[i] NULL if it vanished */
	unsigned int n;
};

/* 0, -ENOENT if dir is gone, or -errno.  Free with reqio_fields_free. */
int reqio_read(const char *dir, struct req_fields *f);
/*
 * reqio_read(), leaving its transaction open until reqio_read_end():
 * a reqio_status() of that dir meanwhile is written into it.
 */
int reqio_read_begin(const char *dir, struct req_fields *f);
void reqio_read_end(void);
const char *reqio_field(const struct req_fields *f, const char *name);
void reqio_fields_free(struct req_fields *f);
/* The IDs under dir, malloc'd (one free()); 0 or -errno. */
int reqio_list(const char *dir, char ***ids, unsigned int *n);
/* Whether dir still has a status: a request we answered is still ours. */
bool reqio_has_status(const char *dir);
/* Does the request still have its op (only requesters write it)? */
bool reqio_has_op(const char *dir);
/* Looks up every name= spec of p (libxl's records).  0 or an errno. */
int reqio_resolve(struct req_params *p);
/* `accepted` or `running`. */
int reqio_status(const char *dir, const char *status);
/*
 * The final status, with error and code (err != 0) or the results, in
 * one transaction, status last; nothing if the requester removed the
 * request.  0, -ENOENT if it was removed, or -errno.
 */
int reqio_final(const char *dir, const struct req_params *p, int err,
		const char *msg, const struct outcome *out);
/* Reaping: 0 or -errno; a directory already gone is fine. */
/*
 * The answer of a request that ran, written by its worker inside the
 * transaction that publishes its devices (ops_finish()): error/code or
 * the results, then status, if its op is still there (*answered).  The
 * loop's own finals (reqio_final()) then leave it alone: -EALREADY.
 */
int reqio_answer_in(struct xs_handle *h, xs_transaction_t t,
		    const char *dir, const struct req_params *p,
		    const struct outcome *out, bool *answered);
int reqio_remove(const char *dir);

#endif
