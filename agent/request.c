/*
 * Requests: R/requests/<ID>/, written by a toolstack or the CLI, served
 * by the agent (protocol/xenpci_protocol.h, protocol v1).
 *
 * Each request is a state machine driven by a table, actions[state]
 * [event]: the loop only looks the pair up and calls it.  A pair that
 * is not in the table is ignored and logged, so every pair is visibly
 * either handled or not.
 *
 *   NEW       --valid-->    QUEUED    status=accepted, queued on devices
 *   NEW       --invalid-->  DONE      status=error (EINVAL, ...)
 *   QUEUED    --ready-->    RUNNING   status=running, worker started
 *   QUEUED    --timeout-->  DONE      status=error ETIMEDOUT (device busy)
 *   QUEUED    --shutdown--> DONE      status=error ECANCELED
 *   RUNNING   --done-->     DONE      status=ok|error
 *   RUNNING   --timeout-->  ABANDONED status=error ETIMEDOUT; the worker
 *                                     is told to undo and stop
 *   ABANDONED --done-->     DONE      (status already final)
 *   DONE      --reap-->     freed     the directory is removed after 1 h
 *   any       --gone-->     freed, or orphaned while a worker runs
 *
 * A request is `ready` when it heads the queue of each of its devices
 * (devices.c); an assignable-list, which names none, when every request
 * that arrived before it has finished.
 *
 * Fields are read once, in one transaction, when `op` first appears;
 * `status` is then always present (accepted, running, ok or error)
 * until the requester removes the directory.
 *
 * Duplicate IDs:
 *  - `op` (or any field) written again while a request is in flight is
 *    ignored: the agent acts on the snapshot it read; the status it
 *    reports is that of the snapshot.
 *  - A directory that already has a final status is never run again
 *    (a final status never changes), also across agent restarts.  To
 *    reuse an ID, remove the directory first; a directory that has
 *    been removed and written again (its `status` is gone) is a new
 *    request, even if the old one is still running (the old one then
 *    finishes without writing anything).
 *  - Requests found at start-up without a final status (written while
 *    the agent was down, or interrupted by a crash) are served.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

enum rq_state {
	RQ_NEW,
	RQ_QUEUED,
	RQ_RUNNING,
	RQ_ABANDONED,
	RQ_DONE,
	RQ_NSTATES,
	RQ_FREED,	/* pseudo state: the request is freed */
};

enum rq_event {
	RE_VALID,
	RE_INVALID,
	RE_READY,
	RE_WORK_DONE,
	RE_TIMEOUT,
	RE_SHUTDOWN,
	RE_GONE,
	RE_REAP,
	RE_NEVENTS,
};

static const char *const state_names[] = {
	"new", "queued", "running", "abandoned", "done",
};
static const char *const event_names[] = {
	"valid", "invalid", "ready", "work-done", "timeout", "shutdown",
	"gone", "reap",
};

enum rq_op {
	OP_ADD, OP_REMOVE, OP_LIST, OP_ATTACH, OP_DETACH,
	OP_CLEANUP,		/* internal: a guest died holding devices */
};

struct request {
	/* The ID as found, even an invalid one, to match later events. */
	char id[3200];
	char path[3200];
	enum rq_state state;
	enum rq_op op;
	char desc[160];		/* "assignable-add 07:00.0" for logs */
	struct spec spec;		/* assignable-*, detach */
	struct spec specs[XENPCI_ATTACH_MAX_SPECS];	/* attach */
	unsigned int nspecs;
	bool spec_n;		/* attach named spec-N, not spec */
	unsigned int domid;
	bool has_domid;
	bool internal;		/* the agent's own: cleanup of a dead guest */
	bool replay;		/* begun by an agent that died */
	/* Every device the request works on: its place in the queues. */
	struct bdf devs[REQ_MAX_DEVS];
	unsigned int ndevs;
	bool rebind, force;
	unsigned int timeout;
	bool orphaned;		/* directory removed while running */
	bool was_running;	/* found `running` at start-up (a crash) */
	struct cancel cancel;	/* the timeout tells the worker to undo */
	int err;		/* validation result */
	char msg[1024];
	ev_timer timer;		/* timeout, then reaping */
	struct job job;
	struct outcome out;
	unsigned long seq;	/* arrival order */
	struct request *next;
};

static struct request *requests;
static unsigned long arrivals;
static char requests_dir[128];

static void dispatch(struct request *rq, enum rq_event ev);

/* ------------------------------------------------------ xenstore I/O */

/* attach: result/vdev, or result/vdev-N for a request with spec-N. */
static bool write_vdevs(xs_transaction_t t, struct request *rq,
			const struct outcome *out)
{
	char p[3400];
	bool ok = true;

	for (unsigned int i = 0; ok && i < out->nvdev; i++) {
		if (rq->spec_n)
			snprintf(p, sizeof(p), "%s/" XENPCI_REQ_RESULT "/"
				 XENPCI_RES_VDEV_N_FMT, rq->path, i);
		else
			snprintf(p, sizeof(p), "%s/" XENPCI_REQ_RESULT "/"
				 XENPCI_RES_VDEV, rq->path);
		ok = xs_write_str(t, p, out->vdev[i]);
	}
	return ok;
}

/*
 * The final answer, in one transaction with `status` last, and only if
 * the directory is still the one we were asked through.
 */
static void write_status(struct request *rq, const char *status, int err,
			 const char *msg, const struct outcome *out)
{
	char p[3400], key[KEY_STR_LEN];
	xs_transaction_t t;

	if (rq->orphaned)
		return;
	for (;;) {
		bool ok = true;

		t = xs_transaction_start(xsh);
		if (t == XBT_NULL)
			break;
		snprintf(p, sizeof(p), "%s/" XENPCI_REQ_OP, rq->path);
		if (!xs_exists(t, p)) {
			/* Removed by the requester: nobody to answer. */
			xs_transaction_end(xsh, t, true);
			return;
		}
		if (err) {
			snprintf(p, sizeof(p), "%s/" XENPCI_REQ_ERROR,
				 rq->path);
			ok = ok && xs_write_str(t, p, msg);
			snprintf(p, sizeof(p), "%s/" XENPCI_REQ_CODE, rq->path);
			ok = ok && xs_write_str(t, p, errno_name(err));
		}
		if (out && !err && rq->op == OP_ATTACH)
			ok = ok && write_vdevs(t, rq, out);
		if (out && !err && rq->op == OP_LIST) {
			snprintf(p, sizeof(p), "%s/" XENPCI_REQ_RESULT,
				 rq->path);
			ok = ok && xs_remove(t, p) && xs_mkdir(xsh, t, p);
			for (unsigned int i = 0; ok && i < out->nlist; i++) {
				snprintf(p, sizeof(p), "%s/" XENPCI_REQ_RESULT
					 "/%s", rq->path,
					 bdf_key(&out->list[i], key));
				ok = xs_write_str(t, p, out->list_drv[i]);
			}
		}
		snprintf(p, sizeof(p), "%s/" XENPCI_REQ_STATUS, rq->path);
		ok = ok && xs_write_str(t, p, status);
		if (!ok) {
			log_err("request %s: write status %s: %s", rq->id,
				status, strerror(errno));
			xs_transaction_end(xsh, t, true);
			return;
		}
		if (xs_transaction_end(xsh, t, false))
			return;
		if (errno != EAGAIN)
			break;
	}
	log_err("request %s: write status %s: %s", rq->id, status,
		strerror(errno));
}

static void finish_timer(struct request *rq);

static void write_final(struct request *rq, int err, const char *msg,
			const struct outcome *out)
{
	if (err)
		log_err("request %s (%s): error %s: %s", rq->id, rq->desc,
			errno_name(err), msg);
	else
		log_info("request %s (%s): ok", rq->id, rq->desc);
	write_status(rq, err ? XENPCI_STATUS_ERROR : XENPCI_STATUS_OK, err,
		     msg, out);
	finish_timer(rq);
}

/* ----------------------------------------------------------- timers */

static void timer_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	struct request *rq = w->data;

	(void)l;
	(void)revents;
	dispatch(rq, rq->state == RQ_DONE ? RE_REAP : RE_TIMEOUT);
}

/*
 * A finished request is removed an hour later if nobody did.  The
 * tests shorten the hour with XEN_PCI_AGENT_REAP_SECONDS.
 */
static double reap_seconds(void)
{
	const char *s = getenv("XEN_PCI_AGENT_REAP_SECONDS");
	double v = s ? atof(s) : 0.;

	return v > 0. ? v : XENPCI_REQ_REAP_SECONDS;
}

static void finish_timer(struct request *rq)
{
	ev_timer_stop(loop, &rq->timer);
	ev_timer_set(&rq->timer, reap_seconds(), 0.);
	ev_timer_start(loop, &rq->timer);
}

/* ------------------------------------------------------------ worker */

static void job_run(struct job *j)
{
	struct request *rq = j->data;

	memset(&rq->out, 0, sizeof(rq->out));
	switch (rq->op) {
	case OP_ADD:
		assignable_add(&rq->spec, rq->id, &rq->cancel, &rq->out);
		break;
	case OP_REMOVE:
		assignable_remove(&rq->spec, rq->id, rq->rebind, rq->force,
				  &rq->cancel, &rq->out);
		break;
	case OP_LIST:
		assignable_list(&rq->out);
		break;
	case OP_ATTACH:
		pci_attach(rq->domid, rq->specs, rq->nspecs, rq->id,
			   rq->timeout, rq->replay, &rq->cancel, &rq->out);
		break;
	case OP_DETACH:
		pci_detach(rq->domid, &rq->spec, rq->id, rq->force,
			   rq->timeout, rq->replay, &rq->cancel, &rq->out);
		break;
	case OP_CLEANUP:
		attach_domain_gone(rq->domid, rq->devs, rq->ndevs);
		break;
	default:
		rq->out.err = EOPNOTSUPP;
		break;
	}
}

static void job_done(struct job *j)
{
	dispatch(j->data, RE_WORK_DONE);
}

/* ----------------------------------------------------------- actions */

static void act_accept(struct request *rq)
{
	log_info("request %s (%s): accepted", rq->id, rq->desc);
	/* Served again after a crash: never step back from `running`. */
	if (!rq->was_running)
		write_status(rq, XENPCI_STATUS_ACCEPTED, 0, NULL, NULL);
	/*
	 * attach and detach wait for the guest with the request's timeout
	 * as their own deadline, and report what they were waiting for;
	 * the grace keeps this generic timeout from overtaking them.
	 */
	ev_timer_set(&rq->timer, rq->timeout + (rq->op == OP_ATTACH ||
		     rq->op == OP_DETACH || rq->op == OP_CLEANUP ? 2 : 0), 0.);
	ev_timer_start(loop, &rq->timer);
	if (devices_enqueue(rq, rq->devs, rq->ndevs))
		request_runnable(rq);
}

static void act_reject(struct request *rq)
{
	write_final(rq, rq->err, rq->msg, NULL);
}

static void act_run(struct request *rq)
{
	log_info("request %s (%s): running", rq->id, rq->desc);
	write_status(rq, XENPCI_STATUS_RUNNING, 0, NULL, NULL);
	rq->job.run = job_run;
	rq->job.done = job_done;
	rq->job.data = rq;
	if (worker_start(&rq->job)) {
		rq->out.err = EAGAIN;
		snprintf(rq->out.msg, sizeof(rq->out.msg),
			 "cannot start a worker thread");
		job_done(&rq->job);
	}
}

/*
 * A list names no device and takes no queue; it waits instead for every
 * request that arrived before it to finish, so that it shows their
 * effect.
 */
static bool earlier_pending(const struct request *list)
{
	for (const struct request *rq = requests; rq; rq = rq->next)
		if (rq != list && rq->seq < list->seq && rq->op != OP_LIST &&
		    (rq->state == RQ_QUEUED || rq->state == RQ_RUNNING ||
		     rq->state == RQ_ABANDONED))
			return true;
	return false;
}

static void kick_lists(void)
{
	for (struct request *rq = requests, *next; rq; rq = next) {
		next = rq->next;
		if (rq->op == OP_LIST && rq->state == RQ_QUEUED)
			request_runnable(rq);
	}
}

static void release(struct request *rq)
{
	devices_release(rq, rq->devs, rq->ndevs);
	/* rq is not pending any more once the action returns: see dispatch. */
}

static void act_finish(struct request *rq)
{
	const char *msg = rq->out.msg[0] ? rq->out.msg : strerror(rq->out.err);

	ev_timer_stop(loop, &rq->timer);
	/*
	 * R/devices first, so that a requester who sees the final status
	 * also sees the devices it changed.  Also after a list: it picks
	 * up what xl or a person changed meanwhile.
	 */
	devices_publish();
	write_final(rq, rq->out.err, msg, &rq->out);
	outcome_free(&rq->out);
	release(rq);
}

static void act_cleanup_abandoned(struct request *rq)
{
	if (rq->out.err)
		log_warn("request %s (%s): after timeout: %s", rq->id,
			 rq->desc, rq->out.msg);
	outcome_free(&rq->out);
	devices_publish();
	release(rq);
}

static void act_fail_queued_timeout(struct request *rq)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: timed out after %u s waiting for "
		 "earlier requests %s", rq->desc, rq->timeout,
		 rq->op == OP_LIST ? "to finish" : "on the same device");
	ev_timer_stop(loop, &rq->timer);
	release(rq);
	write_final(rq, ETIMEDOUT, msg, NULL);
}

static void act_fail_queued_shutdown(struct request *rq)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: cancelled, the agent is stopping; "
		 "nothing was changed", rq->desc);
	ev_timer_stop(loop, &rq->timer);
	release(rq);
	write_final(rq, ECANCELED, msg, NULL);
}

static void act_abandon(struct request *rq)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: timed out after %u s; the operation "
		 "is being undone", rq->desc, rq->timeout);
	cancel_set(&rq->cancel);
	write_final(rq, ETIMEDOUT, msg, NULL);
}

static void act_orphan(struct request *rq)
{
	log_info("request %s (%s): removed by the requester while running; "
		 "finishing without an answer", rq->id, rq->desc);
	rq->orphaned = true;
}

static void act_dequeue_free(struct request *rq)
{
	ev_timer_stop(loop, &rq->timer);
	release(rq);
}

static void act_reap(struct request *rq)
{
	log_info("request %s: finished %g s ago, removing it", rq->id,
		 reap_seconds());
	if (!rq->orphaned)
		xs_remove(XBT_NULL, rq->path);
}

static void act_nothing(struct request *rq)
{
	(void)rq;
}

static const struct transition {
	void (*action)(struct request *rq);
	enum rq_state next;
} actions[RQ_NSTATES][RE_NEVENTS] = {
	[RQ_NEW] = {
		[RE_VALID] = { act_accept, RQ_QUEUED },
		[RE_INVALID] = { act_reject, RQ_DONE },
		[RE_GONE] = { act_nothing, RQ_FREED },
	},
	[RQ_QUEUED] = {
		[RE_READY] = { act_run, RQ_RUNNING },
		[RE_TIMEOUT] = { act_fail_queued_timeout, RQ_DONE },
		[RE_SHUTDOWN] = { act_fail_queued_shutdown, RQ_DONE },
		[RE_GONE] = { act_dequeue_free, RQ_FREED },
	},
	[RQ_RUNNING] = {
		[RE_WORK_DONE] = { act_finish, RQ_DONE },
		[RE_TIMEOUT] = { act_abandon, RQ_ABANDONED },
		[RE_SHUTDOWN] = { act_nothing, RQ_RUNNING },
		[RE_GONE] = { act_orphan, RQ_RUNNING },
	},
	[RQ_ABANDONED] = {
		[RE_WORK_DONE] = { act_cleanup_abandoned, RQ_DONE },
		[RE_SHUTDOWN] = { act_nothing, RQ_ABANDONED },
		[RE_GONE] = { act_orphan, RQ_ABANDONED },
	},
	[RQ_DONE] = {
		[RE_REAP] = { act_reap, RQ_FREED },
		[RE_GONE] = { act_nothing, RQ_FREED },
		[RE_SHUTDOWN] = { act_nothing, RQ_DONE },
	},
};

static void request_free(struct request *rq)
{
	struct request **pp;

	for (pp = &requests; *pp; pp = &(*pp)->next) {
		if (*pp == rq) {
			*pp = rq->next;
			break;
		}
	}
	ev_timer_stop(loop, &rq->timer);
	cancel_destroy(&rq->cancel);
	spec_free(&rq->spec);
	for (unsigned int i = 0; i < rq->nspecs; i++)
		spec_free(&rq->specs[i]);
	outcome_free(&rq->out);
	free(rq);
}

static void dispatch(struct request *rq, enum rq_event ev)
{
	const struct transition *tr = &actions[rq->state][ev];
	enum rq_state from = rq->state;

	if (!tr->action) {
		log_warn("request %s: event %s ignored in state %s", rq->id,
			 event_names[ev], state_names[rq->state]);
		return;
	}
	log_debug("request %s: %s --%s--> %s", rq->id, state_names[from],
		  event_names[ev],
		  tr->next == RQ_FREED ? "freed" : state_names[tr->next]);
	rq->state = tr->next;
	tr->action(rq);
	if (rq->state == RQ_FREED)
		request_free(rq);
	/* Leaving the pending states may let a waiting list run. */
	if ((from == RQ_QUEUED || from == RQ_RUNNING || from == RQ_ABANDONED) &&
	    tr->next != from)
		kick_lists();
	if (agent_stopping)
		agent_maybe_exit();
}

void request_runnable(struct request *rq)
{
	/* A stopping agent starts nothing new (queued ones are cancelled). */
	if (agent_stopping || rq->state != RQ_QUEUED)
		return;
	if (rq->op == OP_LIST ? !earlier_pending(rq) :
	    devices_at_head(rq, rq->devs, rq->ndevs))
		dispatch(rq, RE_READY);
}

/* -------------------------------------------------------- validation */

static bool valid_id(const char *id)
{
	size_t n = strlen(id);

	if (n < 1 || n > XENPCI_REQ_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '_' &&
		    id[i] != '-')
			return false;
	return true;
}

static int invalid(struct request *rq, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int invalid(struct request *rq, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rq->msg, sizeof(rq->msg), fmt, ap);
	va_end(ap);
	rq->err = err;
	return err;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!*s || !isdigit((unsigned char)*s) || strlen(s) > 10)
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end && *v <= max;
}

static bool parse_bool(const char *s, bool *b)
{
	if (!strcmp(s, "0") || !strcmp(s, "1")) {
		*b = s[0] == '1';
		return true;
	}
	return false;
}

/* name= alone names a device that assignable-add was given a name for. */
static int lookup_name(struct request *rq, struct spec *sp)
{
	char **keys, p[160];
	unsigned int n, i;
	struct bdf b;
	int rc = ENODEV;

	keys = xs_directory(xsh, XBT_NULL, LIBXL_PCI_DIR, &n);
	for (i = 0; keys && i < n; i++) {
		char *v;

		if (!bdf_from_key(keys[i], &b))
			continue;
		snprintf(p, sizeof(p), LIBXL_PCI_DIR "/%s/" LIBXL_PCI_NAME,
			 keys[i]);
		v = xs_read_str(XBT_NULL, p);
		if (v && !strcmp(v, sp->name)) {
			sp->devs[0] = b;
			sp->ndevs = 1;
			rc = 0;
		}
		free(v);
		if (!rc)
			break;
	}
	free(keys);
	if (rc)
		return invalid(rq, ENODEV, "no device is named '%s' "
			       "(/libxl/pci/*/name)", sp->name);
	return 0;
}

static int parse_one_spec(struct request *rq, const char *str,
			  struct spec *sp)
{
	char err[768];
	int rc;

	rc = spec_parse(str, sp, err, sizeof(err));
	if (rc)
		return invalid(rq, rc, "%s", err);
	if (sp->name && rq->op == OP_ADD)
		return invalid(rq, EINVAL, "assignable-add needs a BDF, not "
			       "name=%s alone", sp->name);
	if (sp->name)
		return lookup_name(rq, sp);
	return 0;
}

/* Every device of the request, once: its place in the device queues. */
static int collect_devs(struct request *rq, const struct spec *specs,
			unsigned int nspecs)
{
	char bdf[BDF_STR_LEN];

	rq->ndevs = 0;
	for (unsigned int i = 0; i < nspecs; i++)
		for (unsigned int j = 0; j < specs[i].ndevs; j++) {
			const struct bdf *b = &specs[i].devs[j];

			for (unsigned int k = 0; k < rq->ndevs; k++)
				if (bdf_eq(&rq->devs[k], b))
					return invalid(rq, EINVAL, "%s is "
						       "named twice in one "
						       "request",
						       bdf_str(b, bdf));
			rq->devs[rq->ndevs++] = *b;
		}
	return 0;
}

/* attach: `spec`, or `spec-0` .. `spec-N` without gaps, not both. */
static int attach_specs(struct request *rq, const char *spec, char **names,
			char **vals, unsigned int n)
{
	const char *by_index[XENPCI_ATTACH_MAX_SPECS] = { NULL };
	unsigned int count = 0, i;
	unsigned long idx;
	int rc;

	for (i = 0; i < n; i++) {
		if (strncmp(names[i], "spec-", 5) || !vals[i])
			continue;
		if (!parse_uint(names[i] + 5, XENPCI_ATTACH_MAX_SPECS - 1,
				&idx))
			return invalid(rq, EINVAL, "invalid field '%.64s': "
				       "spec-0 to spec-%d", names[i],
				       XENPCI_ATTACH_MAX_SPECS - 1);
		by_index[idx] = vals[i];
		count++;
	}
	if (spec && count)
		return invalid(rq, EINVAL, "attach takes spec or spec-0, "
			       "spec-1, ..., not both");
	if (!spec && !count)
		return invalid(rq, EINVAL, "attach needs a spec (e.g. 07:00.0) "
			       "or spec-0, spec-1, ...");
	if (spec) {
		by_index[0] = spec;
		count = 1;
	}
	rq->spec_n = !spec;
	for (i = 0; i < count; i++) {
		if (!by_index[i])
			return invalid(rq, EINVAL, "spec-%u is missing: "
				       "number them from 0 without gaps", i);
		rc = parse_one_spec(rq, by_index[i], &rq->specs[i]);
		rq->nspecs = i + 1;
		if (rc)
			return rc;
	}
	return collect_devs(rq, rq->specs, rq->nspecs);
}

static const struct {
	const char *name;
	enum rq_op op;
} ops[] = {
	{ XENPCI_OP_ASSIGNABLE_ADD, OP_ADD },
	{ XENPCI_OP_ASSIGNABLE_REMOVE, OP_REMOVE },
	{ XENPCI_OP_ASSIGNABLE_LIST, OP_LIST },
	{ XENPCI_OP_ATTACH, OP_ATTACH },
	{ XENPCI_OP_DETACH, OP_DETACH },
};

/*
 * Check every field the agent knows, read in one transaction.  A bad
 * value is refused with EINVAL; an unknown name is logged and ignored
 * (the protocol's rule for additive extensions).
 */
static int validate(struct request *rq, char **names, char **vals,
		    unsigned int n)
{
	const char *op = NULL, *spec = NULL;
	unsigned long v;
	unsigned int i;
	char err[768];
	int rc;

	rq->timeout = XENPCI_REQ_TIMEOUT_DEFAULT;
	if (!valid_id(rq->id))
		return invalid(rq, EINVAL, "invalid request ID '%.80s': "
			       "1 to %d of [A-Za-z0-9_-]", rq->id,
			       XENPCI_REQ_ID_MAX);
	for (i = 0; i < n; i++) {
		const char *k = names[i], *val = vals[i];

		if (!val)
			continue;
		if (!strcmp(k, XENPCI_REQ_OP)) {
			op = val;
		} else if (!strcmp(k, XENPCI_REQ_SPEC)) {
			spec = val;
		} else if (!strcmp(k, XENPCI_REQ_REBIND)) {
			if (!parse_bool(val, &rq->rebind))
				return invalid(rq, EINVAL, "invalid rebind "
					       "'%.40s': 0 or 1", val);
		} else if (!strcmp(k, XENPCI_REQ_FORCE)) {
			if (!parse_bool(val, &rq->force))
				return invalid(rq, EINVAL, "invalid force "
					       "'%.40s': 0 or 1", val);
		} else if (!strcmp(k, XENPCI_REQ_TIMEOUT)) {
			if (!parse_uint(val, 86400, &v) || !v)
				return invalid(rq, EINVAL, "invalid timeout "
					       "'%.40s': 1 to 86400 seconds",
					       val);
			rq->timeout = v;
		} else if (!strcmp(k, XENPCI_REQ_DOMID)) {
			if (!parse_uint(val, 0x7fef, &v))
				return invalid(rq, EINVAL, "invalid domid "
					       "'%.40s'", val);
			rq->domid = (unsigned int)v;
			rq->has_domid = true;
		} else if (!strcmp(k, XENPCI_REQ_STATUS) ||
			   !strcmp(k, XENPCI_REQ_ERROR) ||
			   !strcmp(k, XENPCI_REQ_CODE) ||
			   !strcmp(k, XENPCI_REQ_RESULT) ||
			   !strncmp(k, XENPCI_REQ_SPEC_N_PREFIX,
				    strlen(XENPCI_REQ_SPEC_N_PREFIX))) {
			/* Ours from an earlier run, or attach's spec-N. */
		} else {
			/*
			 * PROTOCOL.md section 13: agents ignore request
			 * fields they do not know, so that a newer
			 * requester's optional additions stay harmless.
			 */
			log_warn("request %s: ignoring unknown field '%.64s'",
				 rq->id, k);
		}
	}
	for (i = 0; op && i < sizeof(ops) / sizeof(*ops); i++)
		if (!strcmp(op, ops[i].name))
			break;
	if (!op || i == sizeof(ops) / sizeof(*ops))
		return invalid(rq, EINVAL, "unknown op '%.64s': one of "
			       "assignable-add, assignable-remove, "
			       "assignable-list, attach, detach", op ? op : "");
	rq->op = ops[i].op;
	snprintf(rq->desc, sizeof(rq->desc), "%s%s%.100s", op,
		 spec ? " " : "", spec ? spec : "");
	if ((rq->op == OP_ATTACH || rq->op == OP_DETACH) && !rq->has_domid)
		return invalid(rq, EINVAL, "%s needs a domid", op);
	if (rq->op == OP_ATTACH)
		return attach_specs(rq, spec, names, vals, n);
	if (rq->op == OP_LIST) {
		/* A spec is not used by a list, but it must still be valid. */
		if (spec && spec_parse(spec, &rq->spec, err, sizeof(err)) &&
		    !rq->spec.wildcard)
			return invalid(rq, EINVAL, "%s", err);
		spec_free(&rq->spec);
		memset(&rq->spec, 0, sizeof(rq->spec));
		return 0;
	}
	if (!spec)
		return invalid(rq, EINVAL, "%s needs a spec (e.g. 07:00.0)",
			       op);
	rc = parse_one_spec(rq, spec, &rq->spec);
	if (rc)
		return rc;
	return collect_devs(rq, &rq->spec, 1);
}

/* ------------------------------------------------------- watch events */

static struct request *find(const char *id)
{
	for (struct request *rq = requests; rq; rq = rq->next)
		if (!rq->orphaned && !strcmp(rq->id, id))
			return rq;
	return NULL;
}

static bool is_final(const char *status)
{
	return status && (!strcmp(status, XENPCI_STATUS_OK) ||
			  !strcmp(status, XENPCI_STATUS_ERROR));
}

/* Read a request's directory in one transaction; NULL names if no op. */
static char **read_request(const char *dir, char ***vals_out,
			   unsigned int *n_out)
{
	char **names, **vals, p[3400];
	unsigned int n, i;
	xs_transaction_t t;

	for (;;) {
		t = xs_transaction_start(xsh);
		if (t == XBT_NULL)
			return NULL;
		names = xs_directory(xsh, t, dir, &n);
		vals = names ? calloc(n ? n : 1, sizeof(*vals)) : NULL;
		for (i = 0; vals && i < n; i++) {
			unsigned int len;

			snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
			vals[i] = xs_read(xsh, t, p, &len);
			/* An embedded NUL would hide the rest of a value. */
			if (vals[i] && strlen(vals[i]) != len) {
				free(vals[i]);
				vals[i] = strdup("<binary>");
			}
		}
		if (xs_transaction_end(xsh, t, false) || errno != EAGAIN)
			break;
		for (i = 0; vals && i < n; i++)
			free(vals[i]);
		free(vals);
		free(names);
	}
	if (!names || !vals) {
		free(names);
		free(vals);
		return NULL;
	}
	*vals_out = vals;
	*n_out = n;
	return names;
}

static const char *field(char **names, char **vals, unsigned int n,
			 const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return vals[i];
	return NULL;
}

static void consider(const char *id)
{
	char dir[3200], **names, **vals = NULL;
	unsigned int n = 0;
	struct request *rq, *old;
	const char *status;

	snprintf(dir, sizeof(dir), "%s/%s", requests_dir, id);
	old = find(id);
	names = read_request(dir, &vals, &n);
	status = names ? field(names, vals, n, XENPCI_REQ_STATUS) : NULL;

	if (old) {
		/*
		 * We write `status` as soon as we know a request, so a
		 * known request without one was removed (and perhaps
		 * written again under the same ID).
		 */
		if (!names || !status)
			dispatch(old, RE_GONE);
		else
			log_debug("request %s: change ignored (fields are "
				  "read once, when op appears)", id);
		if (names && status)
			goto out;
	}
	if (!names || !field(names, vals, n, XENPCI_REQ_OP))
		goto out;	/* not complete yet: op is written last */
	if (agent_stopping)
		goto out;	/* left for the next start */

	rq = calloc(1, sizeof(*rq));
	if (!rq || cancel_init(&rq->cancel)) {
		log_err("request %s: %s", id, strerror(errno));
		free(rq);
		goto out;
	}
	snprintf(rq->id, sizeof(rq->id), "%s", id);
	snprintf(rq->path, sizeof(rq->path), "%s", dir);
	rq->seq = ++arrivals;
	ev_timer_init(&rq->timer, timer_cb, 0., 0.);
	rq->timer.data = rq;
	rq->next = requests;
	requests = rq;
	snprintf(rq->desc, sizeof(rq->desc), "%.100s",
		 field(names, vals, n, XENPCI_REQ_OP));

	if (is_final(status)) {
		/* Answered before (a restart): only reap it, later. */
		log_debug("request %s: already answered (%s)", id, status);
		rq->state = RQ_DONE;
		finish_timer(rq);
		goto out;
	}
	if (status) {
		log_info("request %s: found with status %s: serving it "
			 "(again)", id, status);
		rq->was_running = !strcmp(status, XENPCI_STATUS_RUNNING);
		rq->replay = true;
	}
	if (strlen(id) > XENPCI_REQ_ID_MAX) {
		/* Keep the full ID for the path, report it as invalid. */
		invalid(rq, EINVAL, "invalid request ID: longer than %d",
			XENPCI_REQ_ID_MAX);
		dispatch(rq, RE_INVALID);
		goto out;
	}
	dispatch(rq, validate(rq, names, vals, n) ? RE_INVALID : RE_VALID);
out:
	for (unsigned int i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
	free(names);
}

/*
 * A guest died holding devices (domains.c): the cleanup runs as a
 * request of the agent's own, so it waits its turn on each device's
 * queue like any other and never races an attach or a detach.  It has
 * no directory in xenstore and answers nobody.
 */
void request_cleanup_domain(unsigned int domid, const struct bdf *devs,
			    unsigned int n)
{
	struct request *rq;

	for (rq = requests; rq; rq = rq->next)
		if (rq->internal && rq->domid == domid &&
		    rq->state != RQ_DONE)
			return;		/* already on its way */
	rq = calloc(1, sizeof(*rq));
	if (!rq || cancel_init(&rq->cancel)) {
		log_err("cleanup of domain %u: %s", domid, strerror(errno));
		free(rq);
		return;
	}
	snprintf(rq->id, sizeof(rq->id), "cleanup-%u", domid);
	snprintf(rq->desc, sizeof(rq->desc), "cleanup of dead domain %u",
		 domid);
	rq->internal = rq->orphaned = true;
	rq->seq = ++arrivals;
	rq->op = OP_CLEANUP;
	rq->domid = domid;
	rq->timeout = XENPCI_REQ_TIMEOUT_DEFAULT;
	for (unsigned int i = 0; i < n && i < REQ_MAX_DEVS; i++)
		rq->devs[rq->ndevs++] = devs[i];
	ev_timer_init(&rq->timer, timer_cb, 0., 0.);
	rq->timer.data = rq;
	rq->next = requests;
	requests = rq;
	dispatch(rq, RE_VALID);
}

void request_scan_all(void)
{
	char **ids;
	unsigned int n;

	ids = xs_directory(xsh, XBT_NULL, requests_dir, &n);
	for (unsigned int i = 0; ids && i < n; i++)
		consider(ids[i]);
	free(ids);
	/* Requests we know of whose directory is gone. */
	for (struct request *rq = requests, *next; rq; rq = next) {
		char p[3400];

		next = rq->next;
		snprintf(p, sizeof(p), "%s/" XENPCI_REQ_STATUS, rq->path);
		if (!rq->orphaned && !xs_exists(XBT_NULL, p))
			dispatch(rq, RE_GONE);
	}
}

void request_watch_event(const char *path)
{
	size_t l;
	char id[3200];
	const char *s;

	if (!requests_dir[0])
		snprintf(requests_dir, sizeof(requests_dir),
			 "%s/" XENPCI_REQUESTS, agent_root);
	l = strlen(requests_dir);
	if (strncmp(path, requests_dir, l))
		return;
	if (!path[l]) {
		/* The watch's first event, or R/requests itself changed. */
		request_scan_all();
		return;
	}
	if (path[l] != '/')
		return;
	s = path + l + 1;
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(s, "/"), s);
	if (id[0])
		consider(id);
}

void request_shutdown(void)
{
	for (struct request *rq = requests, *next; rq; rq = next) {
		next = rq->next;
		dispatch(rq, RE_SHUTDOWN);
	}
}

bool request_all_final(void)
{
	for (struct request *rq = requests; rq; rq = rq->next)
		if (rq->state == RQ_NEW || rq->state == RQ_QUEUED ||
		    rq->state == RQ_RUNNING)
			return false;
	return true;
}

void request_free_all(void)
{
	while (requests)
		request_free(requests);
}
