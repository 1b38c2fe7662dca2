/*
 * Requests: R/requests/<ID>/, written by a toolstack or the CLI, served
 * by the agent (protocol/xenpci_protocol.h, protocol v1).  reqwatch.c
 * says what the watch's events mean; this file is what happens then.
 *
 * Each request is a state machine driven by one table, actions[state]
 * [event], with every cell filled: a pair that cannot happen has an
 * action that says so loudly.  An action may fail (no memory for the
 * queues, no thread); its cell names the state it leads to then.
 * Actions raise no events and set no state: when a request leaves its
 * queues, those that became ready are handed out by queue.c, and the
 * scheduling pass after each event starts them.
 *
 *   NEW       --valid-->    QUEUED    status=accepted, on its queues
 *                           DONE        (no memory for the queues)
 *   NEW       --invalid-->  DONE      status=error (EINVAL, ...)
 *   NEW       --answered--> DONE      final before a restart: reap only
 *   QUEUED    --ready-->    RUNNING   status=running, worker started
 *                           DONE        (no thread: its errno)
 *   QUEUED    --timeout-->  DONE      ETIMEDOUT, naming whom it waited for
 *   QUEUED    --shutdown--> DONE      ECANCELED
 *   QUEUED    --gone-->     freed
 *   RUNNING   --done-->     DONE      status=ok|error
 *   RUNNING   --timeout-->  ABANDONED ETIMEDOUT; the worker is cancelled
 *                                     and undoes what it did
 *   RUNNING   --gone-->     ORPHANED  finishes without an answer
 *   ABANDONED --done-->     DONE      (answered already)
 *   ABANDONED --reap-->     ORPHANED  directory removed, worker still runs
 *   ABANDONED --gone-->     ORPHANED
 *   ORPHANED  --timeout-->  ORPHANED  the worker is cancelled
 *   ORPHANED  --done-->     freed
 *   DONE      --reap-->     freed     directory removed (an hour later)
 *   DONE      --gone-->     freed
 *
 * The deadline (`timeout`, from acceptance) and reaping (from the final
 * status) are separate timers: a request abandoned on its deadline whose
 * step outlives the reap interval is reaped all the same.
 *
 * A request queues (queue.c) on each of its devices, and an attach, a
 * detach or a dead guest's cleanup on the guest too; an assignable-list
 * waits for every request that arrived before it.  The answer of a
 * request that ran is written once its worker has published R/devices.
 * A timeout answers at once instead: the cancelled step is undone after
 * the answer, so its intent record (statedir.c) outlives it.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cancel.h"
#include "config.h"
#include "log.h"
#include "ops.h"
#include "queue.h"
#include "reqio.h"
#include "request.h"
#include "worker.h"

#define NBUCKETS	256
/* attach and detach report a guest's silence themselves: let them. */
#define GUEST_GRACE	2
/* An answered request reaped for the budget lives this long at least. */
#define ANSWERED_GRACE	5.

struct request {
	/* The ID as found, even an invalid one, to match later events. */
	char id[REQ_ID_LEN];
	char path[REQ_PATH_LEN];	/* "" for the agent's own */
	enum rq_state state;
	struct req_params p;
	bool internal;		/* no directory: the agent's own */
	void (*own)(const struct req_params *p);	/* what it does */
	bool replay;		/* running when an agent died */
	bool was_running;	/* found `running` at start-up */
	struct qres res[REQ_MAX_DEVS + 1];
	unsigned int nres;
	struct qwaiter qw;
	struct cancel cancel;	/* set on timeout: undo and stop */
	atomic_bool quiet;	/* removed: its worker must not answer */
	ev_timer deadline, reap;
	ev_tstamp answered_at;	/* when reap_start() ran */
	bool reap_soon;		/* over the answered budget: reaped early */
	struct job job;
	struct outcome out;
	TAILQ_ENTRY(request) all;
	struct request *hnext;	/* by_id chain */
};

static TAILQ_HEAD(, request) requests = TAILQ_HEAD_INITIALIZER(requests);
static struct request *by_id[NBUCKETS];
static double reap_after;
static bool stopping, reaping_early;
static void (*idle_cb)(void);

static const char *const state_names[] = {
	"new", "queued", "running", "abandoned", "orphaned", "done", "",
	"freed",
};
static const char *const event_names[] = {
	"valid", "invalid", "answered", "ready", "work-done", "timeout",
	"shutdown", "gone", "reap",
};

static unsigned int id_hash(const char *id)
{
	unsigned int h = 5381;

	while (*id)
		h = h * 33 ^ (unsigned char)*id++;
	return h % NBUCKETS;
}

/* Orphans have given their ID up; the agent's own have none. */
struct request *request_find(const char *id)
{
	for (struct request *rq = by_id[id_hash(id)]; rq; rq = rq->hnext)
		if (rq->state != RQ_ORPHANED && !strcmp(rq->id, id))
			return rq;
	return NULL;
}

static void release(struct request *rq)
{
	queue_remove(&rq->qw);
}

static void put_status(struct request *rq, const char *status)
{
	int rc;

	if (rq->internal)
		return;
	rc = reqio_status(rq->path, status);
	if (rc && rc != -ENOENT)
		log_err("request %s: write status %s: %s", rq->id, status,
			strerror(-rc));
}

static void reap_start(struct request *rq)
{
	rq->answered_at = ev_now(loop);
	/* The agent's own requests have no directory to leave around. */
	ev_timer_set(&rq->reap, rq->internal ? 0. : reap_after, 0.);
	ev_timer_start(loop, &rq->reap);
}

/* The final answer; a request removed by its requester gets none. */
static void put_final(struct request *rq, int err, const char *msg,
		      const struct outcome *out)
{
	int rc;

	if (err)
		log_err("request %s (%s): error %s: %s", rq->id, rq->p.desc,
			errno_name(err), msg);
	else
		log_info("request %s (%s): ok", rq->id, rq->p.desc);
	/* Its worker answered already, with R/devices (ops_finish()). */
	if (!rq->internal && !(out && out->answered)) {
		rc = reqio_final(rq->path, &rq->p, err, msg, out);
		if (rc && rc != -ENOENT && rc != -EALREADY)
			log_err("request %s: write status %s: %s", rq->id,
				err ? XENPCI_STATUS_ERROR : XENPCI_STATUS_OK,
				strerror(-rc));
	}
	reap_start(rq);
}

static void deadline_start(struct request *rq)
{
	unsigned int grace = rq->p.op == REQ_ATTACH ||
			     rq->p.op == REQ_DETACH ||
			     rq->p.op == REQ_CLEANUP ? GUEST_GRACE : 0;

	ev_timer_set(&rq->deadline, rq->p.timeout + grace, 0.);
	ev_timer_start(loop, &rq->deadline);
}

/* ------------------------------------------------------------ worker */

/* On the worker thread: the operation, then R/devices (ops.c). */
static void job_run(struct job *j)
{
	struct request *rq = j->data;

	memset(&rq->out, 0, sizeof(rq->out));
	if (rq->own)
		rq->own(&rq->p);
	else
		ops_run(&rq->p, rq->id, rq->replay, &rq->cancel, &rq->out);
	ops_finish(&rq->p, rq->internal ? NULL : rq->path, &rq->out,
		   &rq->quiet, &rq->cancel);
}

static void event(struct request *rq, enum rq_event ev);

static void job_done(struct job *j)
{
	event(j->data, RE_WORK_DONE);
}

/* ----------------------------------------------------------- actions */

/* What a queued request waits for, for its timeout message. */
static void waited_for(const struct request *rq, char *buf, size_t len)
{
	const struct qres *on;
	const struct qwaiter *w = queue_blocker(&rq->qw, &on);
	const struct request *b = w ? w->owner : NULL;
	char what[32];

	if (!b)
		snprintf(buf, len, "waiting for earlier requests");
	else if (on)
		snprintf(buf, len, "waiting for earlier requests: request "
			 "%.80s (%s) on %s", b->id, b->p.desc,
			 qres_str(on, what, sizeof(what)));
	else
		snprintf(buf, len, "waiting for earlier requests to finish: "
			 "request %.80s (%s)", b->id, b->p.desc);
}

static int act_accept(struct request *rq)
{
	char msg[512];
	int rc;

	if (rq->p.op == REQ_LIST)
		rc = queue_add_barrier(&rq->qw);
	else
		rc = queue_add(&rq->qw, rq->res, rq->nres);
	if (rc) {
		snprintf(msg, sizeof(msg), "%s: out of memory for the request "
			 "queues; nothing was changed", rq->p.desc);
		put_final(rq, -rc, msg, NULL);
		return rc;
	}
	log_info("request %s (%s): accepted", rq->id, rq->p.desc);
	/*
	 * `accepted` says it waits: one that runs at once goes straight to
	 * `running` (PROTOCOL.md: intermediate values may be skipped).
	 * Served again after a crash: never step back from `running`.
	 */
	if (!rq->was_running && !queue_ready(&rq->qw))
		put_status(rq, XENPCI_STATUS_ACCEPTED);
	/*
	 * A dead guest's devices must be released however long its queue
	 * is: the agent's own requests count their time from the start.
	 */
	if (!rq->internal)
		deadline_start(rq);
	return 0;
}

static int act_reject(struct request *rq)
{
	put_final(rq, rq->p.err, rq->p.msg, NULL);
	return 0;
}

static int act_answered(struct request *rq)
{
	log_debug("request %s: already answered", rq->id);
	reap_start(rq);
	return 0;
}

static int act_run(struct request *rq)
{
	char msg[512];
	int rc;

	log_info("request %s (%s): running", rq->id, rq->p.desc);
	put_status(rq, XENPCI_STATUS_RUNNING);
	if (rq->internal)
		deadline_start(rq);
	rq->job.run = job_run;
	rq->job.done = job_done;
	rq->job.data = rq;
	rc = worker_start(&rq->job);
	if (rc) {
		snprintf(msg, sizeof(msg), "%s: cannot start a worker thread: "
			 "%s; nothing was changed", rq->p.desc, strerror(-rc));
		ev_timer_stop(loop, &rq->deadline);
		release(rq);
		put_final(rq, -rc, msg, NULL);
	}
	return rc;
}

static int act_finish(struct request *rq)
{
	const char *msg = rq->out.msg[0] ? rq->out.msg : strerror(rq->out.err);

	ev_timer_stop(loop, &rq->deadline);
	put_final(rq, rq->out.err, msg, &rq->out);
	outcome_free(&rq->out);
	release(rq);
	return 0;
}

static int act_abandon(struct request *rq)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: timed out after %u s; the operation "
		 "is being undone", rq->p.desc, rq->p.timeout);
	cancel_set(&rq->cancel);
	put_final(rq, ETIMEDOUT, msg, NULL);
	return 0;
}

/* Off its queues; a step that ended after the answer may have failed. */
static int act_release(struct request *rq)
{
	if (rq->out.err)
		log_warn("request %s (%s): after timeout or removal: %s",
			 rq->id, rq->p.desc, rq->out.msg);
	outcome_free(&rq->out);
	release(rq);
	return 0;
}

static int act_orphan(struct request *rq)
{
	log_info("request %s (%s): removed by the requester while its step "
		 "runs; it ends without writing anything", rq->id, rq->p.desc);
	atomic_store(&rq->quiet, true);
	ev_timer_stop(loop, &rq->reap);
	return 0;
}

static int act_reap(struct request *rq)
{
	int rc;

	if (rq->internal)
		return 0;
	if (reaping_early)
		log_info("request %s: answered requests left in place take "
			 "more than %d bytes of IDs, removing the oldest",
			 rq->id, XENPCI_REQ_ANSWERED_BYTES_MAX);
	else
		log_info("request %s: finished %g s ago, removing it",
			 rq->id, reap_after);
	rc = reqio_remove(rq->path);
	if (rc)
		log_err("request %s: remove: %s", rq->id, strerror(-rc));
	return 0;
}

static int act_cancel(struct request *rq)
{
	log_info("request %s (%s): timed out after %u s without a requester; "
		 "undoing it", rq->id, rq->p.desc, rq->p.timeout);
	cancel_set(&rq->cancel);
	return 0;
}

static int act_fail_queued_timeout(struct request *rq)
{
	char why[400], msg[640];

	waited_for(rq, why, sizeof(why));
	snprintf(msg, sizeof(msg), "%s: timed out after %u s %s", rq->p.desc,
		 rq->p.timeout, why);
	release(rq);
	put_final(rq, ETIMEDOUT, msg, NULL);
	return 0;
}

static int act_fail_queued_shutdown(struct request *rq)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: cancelled, the agent is stopping; "
		 "nothing was changed", rq->p.desc);
	ev_timer_stop(loop, &rq->deadline);
	release(rq);
	put_final(rq, ECANCELED, msg, NULL);
	return 0;
}

static int act_nothing(struct request *rq)
{
	(void)rq;
	return 0;
}

static enum rq_event current_event;

static int act_impossible(struct request *rq)
{
	log_err("request %s: BUG: impossible event %s in state %s, ignored",
		rq->id, event_names[current_event], state_names[rq->state]);
	return 0;
}

/* ------------------------------------------------------------- table */

static const struct transition {
	int (*action)(struct request *rq);	/* 0, or it failed */
	enum rq_state next;
	enum rq_state failed;	/* where a failed action leads */
} actions[RQ_NSTATES][RE_NEVENTS] = {
#define T(a, s)		{ a, s, s }
#define F(a, s, f)	{ a, s, f }
#define NO(s)		{ act_impossible, s, s }
	/*
	 * NEW lives only inside the one call that read it: its first
	 * event follows at once, nothing else can reach it.
	 */
	[RQ_NEW] = {
		[RE_VALID] = F(act_accept, RQ_QUEUED, RQ_DONE),
		[RE_INVALID] = T(act_reject, RQ_DONE),
		[RE_ANSWERED] = T(act_answered, RQ_DONE),
		[RE_READY] = NO(RQ_NEW), [RE_WORK_DONE] = NO(RQ_NEW),
		[RE_TIMEOUT] = NO(RQ_NEW), [RE_SHUTDOWN] = NO(RQ_NEW),
		[RE_GONE] = NO(RQ_NEW), [RE_REAP] = NO(RQ_NEW),
	},
	/* No worker, no reap timer yet. */
	[RQ_QUEUED] = {
		[RE_VALID] = NO(RQ_QUEUED), [RE_INVALID] = NO(RQ_QUEUED),
		[RE_ANSWERED] = NO(RQ_QUEUED),
		[RE_READY] = F(act_run, RQ_RUNNING, RQ_DONE),
		[RE_WORK_DONE] = NO(RQ_QUEUED),
		[RE_TIMEOUT] = T(act_fail_queued_timeout, RQ_DONE),
		[RE_SHUTDOWN] = T(act_fail_queued_shutdown, RQ_DONE),
		[RE_GONE] = T(act_release, RQ_FREED),
		[RE_REAP] = NO(RQ_QUEUED),
	},
	/* Ready only once, in QUEUED; no reap timer before the answer. */
	[RQ_RUNNING] = {
		[RE_VALID] = NO(RQ_RUNNING), [RE_INVALID] = NO(RQ_RUNNING),
		[RE_ANSWERED] = NO(RQ_RUNNING), [RE_READY] = NO(RQ_RUNNING),
		[RE_WORK_DONE] = T(act_finish, RQ_DONE),
		[RE_TIMEOUT] = T(act_abandon, RQ_ABANDONED),
		[RE_SHUTDOWN] = T(act_nothing, RQ_RUNNING),
		[RE_GONE] = T(act_orphan, RQ_ORPHANED),
		[RE_REAP] = NO(RQ_RUNNING),
	},
	/* The deadline has fired: it cannot again. */
	[RQ_ABANDONED] = {
		[RE_VALID] = NO(RQ_ABANDONED), [RE_INVALID] = NO(RQ_ABANDONED),
		[RE_ANSWERED] = NO(RQ_ABANDONED), [RE_READY] = NO(RQ_ABANDONED),
		[RE_WORK_DONE] = T(act_release, RQ_DONE),
		[RE_TIMEOUT] = NO(RQ_ABANDONED),
		[RE_SHUTDOWN] = T(act_nothing, RQ_ABANDONED),
		[RE_GONE] = T(act_orphan, RQ_ORPHANED),
		[RE_REAP] = T(act_reap, RQ_ORPHANED),
	},
	/*
	 * Not found by ID any more (so never `gone`); its reap timer was
	 * stopped or has fired.  A deadline is left only if it came from
	 * RUNNING.
	 */
	[RQ_ORPHANED] = {
		[RE_VALID] = NO(RQ_ORPHANED), [RE_INVALID] = NO(RQ_ORPHANED),
		[RE_ANSWERED] = NO(RQ_ORPHANED), [RE_READY] = NO(RQ_ORPHANED),
		[RE_WORK_DONE] = T(act_release, RQ_FREED),
		[RE_TIMEOUT] = T(act_cancel, RQ_ORPHANED),
		[RE_SHUTDOWN] = T(act_nothing, RQ_ORPHANED),
		[RE_GONE] = NO(RQ_ORPHANED), [RE_REAP] = NO(RQ_ORPHANED),
	},
	/* No worker, no deadline. */
	[RQ_DONE] = {
		[RE_VALID] = NO(RQ_DONE), [RE_INVALID] = NO(RQ_DONE),
		[RE_ANSWERED] = NO(RQ_DONE), [RE_READY] = NO(RQ_DONE),
		[RE_WORK_DONE] = NO(RQ_DONE), [RE_TIMEOUT] = NO(RQ_DONE),
		[RE_SHUTDOWN] = T(act_nothing, RQ_DONE),
		[RE_GONE] = T(act_nothing, RQ_FREED),
		[RE_REAP] = T(act_reap, RQ_FREED),
	},
#undef T
#undef F
#undef NO
};

static void request_free(struct request *rq)
{
	struct request **pp;

	TAILQ_REMOVE(&requests, rq, all);
	for (pp = &by_id[id_hash(rq->id)]; *pp; pp = &(*pp)->hnext)
		if (*pp == rq) {
			*pp = rq->hnext;
			break;
		}
	release(rq);
	ev_timer_stop(loop, &rq->deadline);
	ev_timer_stop(loop, &rq->reap);
	cancel_destroy(&rq->cancel);
	reqparse_free(&rq->p);
	outcome_free(&rq->out);
	free(rq);
}

static enum rq_state dispatch(struct request *rq, enum rq_event ev)
{
	const struct transition *tr = &actions[rq->state][ev];
	enum rq_state from = rq->state, to;

	current_event = ev;
	to = tr->action(rq) ? tr->failed : tr->next;
	log_debug("request %s: %s --%s--> %s", rq->id, state_names[from],
		  event_names[ev], state_names[to]);
	rq->state = to;
	if (to == RQ_FREED)
		request_free(rq);
	return to;
}

/*
 * The scheduling pass: the queues hand out only the requests that have
 * become ready, each once (a failed start may let another through).
 */
static void schedule(void)
{
	struct qwaiter *w;

	while ((w = queue_pop_ready()))
		dispatch(w->owner, RE_READY);
}

/*
 * Answered requests left by their requesters cost memory here and nodes
 * in xenstore for an hour, and make R/requests too long to list on
 * oxenstored: past XENPCI_REQ_ANSWERED_BYTES_MAX of their IDs the
 * oldest go at once (PROTOCOL.md 3.5).
 */
static void trim_answered(void)
{
	struct request *rq, *next;
	size_t bytes = 0;
	ev_tstamp left;

	TAILQ_FOREACH(rq, &requests, all)
		if (rq->state == RQ_DONE && !rq->internal && !rq->reap_soon)
			bytes += strlen(rq->id) + 1;
	for (rq = TAILQ_FIRST(&requests);
	     rq && bytes > XENPCI_REQ_ANSWERED_BYTES_MAX; rq = next) {
		next = TAILQ_NEXT(rq, all);
		if (rq->state != RQ_DONE || rq->internal || rq->reap_soon)
			continue;
		bytes -= strlen(rq->id) + 1;
		rq->reap_soon = true;
		/* Its requester gets a moment to read the answer. */
		left = rq->answered_at + ANSWERED_GRACE - ev_now(loop);
		if (left > 0) {
			if (left < ev_timer_remaining(loop, &rq->reap)) {
				ev_timer_stop(loop, &rq->reap);
				ev_timer_set(&rq->reap, left, 0.);
				ev_timer_start(loop, &rq->reap);
			}
			continue;
		}
		reaping_early = true;
		dispatch(rq, RE_REAP);
		reaping_early = false;
	}
}

/* Requests a requester is waiting on: accepted, queued or running. */
static unsigned int outstanding(void)
{
	const struct request *rq;
	unsigned int n = 0;

	TAILQ_FOREACH(rq, &requests, all)
		n += !rq->internal && (rq->state == RQ_QUEUED ||
				       rq->state == RQ_RUNNING);
	return n;
}

/* After every event from outside: promote, then maybe tell main. */
static void settle(void)
{
	schedule();
	trim_answered();
	if (stopping && idle_cb && request_idle())
		idle_cb();
}

static void event(struct request *rq, enum rq_event ev)
{
	dispatch(rq, ev);
	settle();
}

static void timer_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	struct request *rq = w->data;

	(void)l;
	(void)revents;
	reaping_early = w == &rq->reap && rq->reap_soon;
	event(rq, w == &rq->deadline ? RE_TIMEOUT : RE_REAP);
	reaping_early = false;
}

/* ------------------------------------------------------------ birth */

static struct request *request_new(const char *id, const char *dir)
{
	struct request *rq = calloc(1, sizeof(*rq));
	unsigned int h;

	if (!rq || cancel_init(&rq->cancel)) {
		log_err("request %.80s: %s", id, strerror(errno));
		free(rq);
		return NULL;
	}
	snprintf(rq->id, sizeof(rq->id), "%s", id);
	snprintf(rq->path, sizeof(rq->path), "%s", dir ? dir : "");
	rq->internal = !dir;
	queue_waiter_init(&rq->qw, rq);
	ev_timer_init(&rq->deadline, timer_cb, 0., 0.);
	rq->deadline.data = rq;
	ev_timer_init(&rq->reap, timer_cb, 0., 0.);
	rq->reap.data = rq;
	TAILQ_INSERT_TAIL(&requests, rq, all);
	if (dir) {
		h = id_hash(rq->id);
		rq->hnext = by_id[h];
		by_id[h] = rq;
	}
	return rq;
}

static enum rq_event first_event(struct request *rq, const char *status)
{
	if (reqparse_final(status))
		return RE_ANSWERED;
	if (status) {
		log_info("request %s: found with status %s: serving it "
			 "(again)", rq->id, status);
		rq->was_running = !strcmp(status, XENPCI_STATUS_RUNNING);
		/*
		 * Only `running` may have begun (act_run writes it before
		 * the worker starts): one only `accepted` was queued and
		 * did nothing, so "already done" would be a wrong answer
		 * (a detach of a device the guest never had, ok).
		 */
		rq->replay = rq->was_running;
	}
	if (rq->p.err)
		return RE_INVALID;
	rq->nres = reqparse_resources(&rq->p, rq->res);
	return RE_VALID;
}

void request_admit(const char *id, const char *dir, const char *status,
		   struct req_params *p)
{
	struct request *rq;
	enum rq_event ev;

	if (stopping || !(rq = request_new(id, dir))) {
		reqparse_free(p);
		return;
	}
	rq->p = *p;
	ev = first_event(rq, status);
	/* A bound on what one stuck device can make the agent hold. */
	if (ev == RE_VALID && outstanding() >= XENPCI_REQ_OUTSTANDING_MAX) {
		reqparse_fail(&rq->p, EAGAIN, "%s: too many requests "
			      "outstanding (%d): retry once some have "
			      "finished; nothing was changed", rq->p.desc,
			      XENPCI_REQ_OUTSTANDING_MAX);
		ev = RE_INVALID;
	}
	event(rq, ev);
}

void request_gone(struct request *rq)
{
	event(rq, RE_GONE);
}

void request_forget_vanished(void)
{
	struct request *rq, *next;

	for (rq = TAILQ_FIRST(&requests); rq; rq = next) {
		next = TAILQ_NEXT(rq, all);
		if (!rq->internal && rq->state != RQ_ORPHANED &&
		    !reqio_has_status(rq->path))
			event(rq, RE_GONE);
	}
}

int request_submit(const char *id, struct req_params *p,
		   void (*run)(const struct req_params *p))
{
	struct request *rq;

	if (stopping)
		return -ECANCELED;
	TAILQ_FOREACH(rq, &requests, all)
		if (rq->internal && rq->state != RQ_DONE &&
		    !strcmp(rq->id, id))
			return -EALREADY;
	rq = request_new(id, NULL);
	if (!rq)
		return -ENOMEM;
	rq->own = run;
	rq->p = *p;
	rq->nres = reqparse_resources(&rq->p, rq->res);
	event(rq, RE_VALID);
	return 0;
}

bool request_guest_busy(unsigned int domid,
			void (*except)(const struct req_params *p))
{
	const struct request *rq;
	unsigned int i;

	TAILQ_FOREACH(rq, &requests, all) {
		if (rq->state == RQ_DONE || (rq->internal && rq->own == except))
			continue;
		for (i = 0; i < rq->nres; i++)
			if (rq->res[i].kind == QRES_DOM &&
			    rq->res[i].domid == domid)
				return true;
	}
	return false;
}

/* ---------------------------------------------------------- the rest */

void request_init(void (*idle)(void))
{
	const char *s = getenv("XEN_PCI_AGENT_REAP_SECONDS");

	idle_cb = idle;
	/* An hour; the tests shorten it with XEN_PCI_AGENT_REAP_SECONDS. */
	reap_after = s ? atof(s) : 0.;
	if (reap_after <= 0.)
		reap_after = XENPCI_REQ_REAP_SECONDS;
}

void request_shutdown(void)
{
	struct request *rq, *next;

	stopping = true;
	for (rq = TAILQ_FIRST(&requests); rq; rq = next) {
		next = TAILQ_NEXT(rq, all);
		dispatch(rq, RE_SHUTDOWN);
	}
	settle();
}

bool request_accepting(void)
{
	return !stopping;
}

/*
 * An abandoned request is answered, an orphan past its deadline has
 * nobody to answer: neither holds up a stop (the next start undoes a
 * step left stuck, from its intent record).
 */
bool request_idle(void)
{
	const struct request *rq;

	TAILQ_FOREACH(rq, &requests, all)
		if (rq->state == RQ_NEW || rq->state == RQ_QUEUED ||
		    rq->state == RQ_RUNNING ||
		    (rq->state == RQ_ORPHANED &&
		     ev_is_active(&rq->deadline)))
			return false;
	return true;
}

void request_free_all(void)
{
	while (!TAILQ_EMPTY(&requests))
		request_free(TAILQ_FIRST(&requests));
}

struct request *request_test_new(const char *id, const char *dir,
				 const struct req_params *p)
{
	struct request *rq = request_new(id, dir);

	if (rq) {
		rq->p = *p;
		rq->nres = reqparse_resources(&rq->p, rq->res);
	}
	return rq;
}

enum rq_state request_test_event(struct request *rq, enum rq_event ev)
{
	enum rq_state to = dispatch(rq, ev);

	settle();
	return to;
}
