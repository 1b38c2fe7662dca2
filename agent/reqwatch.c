/*
 * The watch on R/requests: which request an event is about and what it
 * means, turned into request.c's events.
 *
 * A request is acted on when `op` appears (it is written last, or in
 * the same transaction as the rest); its fields are read then, once, in
 * one transaction (reqio.c) and checked (reqparse.c).  `status` is then
 * always present (accepted, running, ok or error) until the requester
 * removes the directory, which is how a removal is told from a change.
 *
 * Duplicate IDs:
 *  - `op` (or any field) written again while a request is in flight is
 *    ignored: the agent acts on the snapshot it read, and reports the
 *    snapshot's status.
 *  - A directory that already has a final status is never run again,
 *    also across agent restarts.  To reuse an ID, remove the directory
 *    first; a directory removed and written again (its `status` is
 *    gone) is a new request, even if the old one's step still runs (it
 *    then ends without writing anything).
 *  - Requests found at start-up without a final status (written while
 *    the agent was down, or interrupted by a crash) are served.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "reqio.h"
#include "request.h"
#include "reqwatch.h"

static char requests_dir[128];

void reqwatch_init(const char *dir)
{
	snprintf(requests_dir, sizeof(requests_dir), "%s", dir);
}

static void admit(const char *id, const char *dir,
		  const struct req_fields *f)
{
	const char *status = reqio_field(f, XENPCI_REQ_STATUS);
	struct req_params p;

	if (reqparse_final(status)) {
		/* Answered before a restart: only reaped, later. */
		memset(&p, 0, sizeof(p));
		snprintf(p.desc, sizeof(p.desc), "%.100s",
			 reqio_field(f, XENPCI_REQ_OP));
	} else if (!reqparse(id, f->names, f->vals, f->n, &p)) {
		reqio_resolve(&p);
	}
	request_admit(id, dir, status, &p);
}

/*
 * An event for a node of a request the agent knows: its own answers
 * (status, error, code, result/) change nothing and cost nothing; for
 * anything else one read of `status` tells a removal from a change.
 * Without this, every status the agent writes would make it read the
 * whole request again.
 */
static bool agent_written(const char *node)
{
	static const char *const mine[] = {
		XENPCI_REQ_STATUS, XENPCI_REQ_ERROR, XENPCI_REQ_CODE,
		XENPCI_REQ_RESULT,
	};
	size_t l = strcspn(node, "/");

	for (size_t i = 0; i < sizeof(mine) / sizeof(*mine); i++)
		if (strlen(mine[i]) == l && !strncmp(node, mine[i], l))
			return true;
	return false;
}

static void consider(const char *id);

/* node: the path below the request's directory, "" for the directory. */
static void changed(const char *id, const char *node)
{
	char dir[REQ_PATH_LEN];
	struct request *old = request_find(id);

	if (!old) {
		/* Acted on when op appears: other fields come with it. */
		if (!node[0] || !strcmp(node, XENPCI_REQ_OP))
			consider(id);
		return;
	}
	if (node[0] && agent_written(node))
		return;
	snprintf(dir, sizeof(dir), "%s/%s", requests_dir, id);
	/*
	 * An event for the directory itself of a known request: its
	 * requester removed it (the usual end of every request).  One
	 * read of `op`, which only the requester writes, tells that from a
	 * directory removed and already written again.
	 */
	if (!node[0] && !reqio_has_op(dir)) {
		request_gone(old);
		return;
	}
	if (reqio_has_status(dir)) {
		log_debug("request %s: change ignored (fields are read once, "
			  "when op appears)", id);
		return;
	}
	consider(id);
}

/*
 * xenstored refused to read a request (not "it is gone"): a known one
 * stays as it is, since nothing says it was removed; a new one is
 * answered with the error, or it would wait for ever for an answer.
 */
static void read_failed(const char *id, const char *dir,
			struct request *old, int err)
{
	struct req_params p;

	log_err("request %s: read %s: %s", id, dir, strerror(err));
	if (old || !request_accepting())
		return;
	memset(&p, 0, sizeof(p));
	snprintf(p.desc, sizeof(p.desc), "%.100s", id);
	reqparse_fail(&p, err, "read the request from xenstore: %s; nothing "
		      "was done", strerror(err));
	request_admit(id, dir, NULL, &p);
}

static void consider(const char *id)
{
	char dir[REQ_PATH_LEN];
	struct request *old = request_find(id);
	struct req_fields f;
	int rc;

	snprintf(dir, sizeof(dir), "%s/%s", requests_dir, id);
	rc = reqio_read_begin(dir, &f);
	if (rc && rc != -ENOENT) {
		read_failed(id, dir, old, -rc);
		goto out;
	}
	if (old) {
		/*
		 * We write `status` as soon as we know a request, so a
		 * known request without one was removed (and perhaps
		 * written again under the same ID).
		 */
		if (!rc && reqio_field(&f, XENPCI_REQ_STATUS)) {
			log_debug("request %s: change ignored (fields are "
				  "read once, when op appears)", id);
			goto out;
		}
		request_gone(old);
	}
	/* A stopping agent leaves new requests for the next start. */
	if (!rc && reqio_field(&f, XENPCI_REQ_OP) && request_accepting())
		admit(id, dir, &f);
out:
	/* The first status admit() wrote goes with the read. */
	reqio_read_end();
	reqio_fields_free(&f);
}

/* The watch's first event, or R/requests itself changed. */
static void scan_all(void)
{
	char **ids;
	unsigned int n;

	if (!reqio_list(requests_dir, &ids, &n)) {
		for (unsigned int i = 0; i < n; i++)
			consider(ids[i]);
		free(ids);
	}
	request_forget_vanished();
}

void reqwatch_event(const char *path)
{
	size_t l = strlen(requests_dir);
	char id[REQ_ID_LEN];
	const char *s;

	if (!l || strncmp(path, requests_dir, l))
		return;
	if (!path[l]) {
		scan_all();
		return;
	}
	if (path[l] != '/')
		return;
	s = path + l + 1;
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(s, "/"), s);
	s += strcspn(s, "/");
	if (id[0])
		changed(id, *s ? s + 1 : s);
}
