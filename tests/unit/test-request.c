/*
 * The request table (agent/request.c) and the watch side that feeds it
 * (agent/reqwatch.c): every (state, event) pair with the state it leads
 * to and what it does, the scheduling pass, the failures an action can
 * have, both timers, shutdown.  reqio, the queues, the worker and the
 * operations are fakes that write what they are asked into a trace
 * (request-fakes.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../agent/config.h"
#include "../../agent/reqparse.h"
#include "../../agent/request.h"
#include "../../agent/reqwatch.h"
#include "../../agent/worker.h"
#include "request-fakes.h"
#include "unit.h"

#define DIR	"R/requests"

/* ---------------------------------------------------------- helpers */

static int idle_calls;

static void idle(void)
{
	idle_calls++;
}

static void reset(void)
{
	trace[0] = last_msg[0] = logged[0] = '\0';
}

static struct req_params params(enum req_op op, const char *desc,
				unsigned int domid)
{
	struct req_params p = { .op = op, .timeout = 30, .domid = domid,
				.ndevs = 1, .devs = { { 0, 7, 0, 0 } } };

	snprintf(p.desc, sizeof(p.desc), "%s", desc);
	return p;
}

/* A request of ID id with a directory holding op. */
static struct request *make(const char *id, const struct req_params *p)
{
	char dir[128];

	snprintf(dir, sizeof(dir), DIR "/%s", id);
	dir_set(dir, XENPCI_REQ_OP, "x");
	return request_test_new(id, dir, p);
}

static enum rq_state ev(struct request *rq, enum rq_event e)
{
	return request_test_event(rq, e);
}

/* Runs the loop for a while: the timers fire. */
static void stop_loop(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)w, (void)revents;
	ev_break(l, EVBREAK_ONE);
}

static void run_loop(double s)
{
	ev_timer t;

	ev_timer_init(&t, stop_loop, s, 0.);
	ev_timer_start(loop, &t);
	ev_run(loop, 0);
	ev_timer_stop(loop, &t);
}


/* --------------------------------------------------- every pair */

static const enum rq_event path_to[RQ_NSTATES][4] = {
	[RQ_NEW] = { RE_NEVENTS },
	[RQ_QUEUED] = { RE_VALID, RE_NEVENTS },
	[RQ_RUNNING] = { RE_VALID, RE_READY, RE_NEVENTS },
	[RQ_ABANDONED] = { RE_VALID, RE_READY, RE_TIMEOUT, RE_NEVENTS },
	[RQ_ORPHANED] = { RE_VALID, RE_READY, RE_GONE, RE_NEVENTS },
	[RQ_DONE] = { RE_VALID, RE_READY, RE_WORK_DONE, RE_NEVENTS },
};

/* Back to freed from any state, through the table itself. */
static const enum rq_event path_out[RQ_NSTATES][3] = {
	[RQ_NEW] = { RE_VALID, RE_GONE, RE_NEVENTS },
	[RQ_QUEUED] = { RE_GONE, RE_NEVENTS },
	[RQ_RUNNING] = { RE_GONE, RE_WORK_DONE, RE_NEVENTS },
	[RQ_ABANDONED] = { RE_GONE, RE_WORK_DONE, RE_NEVENTS },
	[RQ_ORPHANED] = { RE_WORK_DONE, RE_NEVENTS },
	[RQ_DONE] = { RE_GONE, RE_NEVENTS },
};

static const struct cell {
	bool possible;
	enum rq_state to;
	const char *does;
} cells[RQ_NSTATES][RE_NEVENTS] = {
	[RQ_NEW] = {
		[RE_VALID] = { 1, RQ_QUEUED, "qadd status(accepted)" },
		[RE_INVALID] = { 1, RQ_DONE, "final(EINVAL)" },
		[RE_ANSWERED] = { 1, RQ_DONE, "" },
	},
	[RQ_QUEUED] = {
		[RE_READY] = { 1, RQ_RUNNING, "status(running) worker" },
		[RE_TIMEOUT] = { 1, RQ_DONE, "qrem final(ETIMEDOUT)" },
		[RE_SHUTDOWN] = { 1, RQ_DONE, "qrem final(ECANCELED)" },
		[RE_GONE] = { 1, RQ_FREED, "qrem" },
	},
	[RQ_RUNNING] = {
		[RE_WORK_DONE] = { 1, RQ_DONE, "final(ok) qrem" },
		[RE_TIMEOUT] = { 1, RQ_ABANDONED, "final(ETIMEDOUT)" },
		[RE_SHUTDOWN] = { 1, RQ_RUNNING, "" },
		[RE_GONE] = { 1, RQ_ORPHANED, "" },
	},
	[RQ_ABANDONED] = {
		[RE_WORK_DONE] = { 1, RQ_DONE, "qrem" },
		[RE_SHUTDOWN] = { 1, RQ_ABANDONED, "" },
		[RE_GONE] = { 1, RQ_ORPHANED, "" },
		[RE_REAP] = { 1, RQ_ORPHANED, "remove" },
	},
	[RQ_ORPHANED] = {
		[RE_WORK_DONE] = { 1, RQ_FREED, "qrem" },
		[RE_TIMEOUT] = { 1, RQ_ORPHANED, "" },
		[RE_SHUTDOWN] = { 1, RQ_ORPHANED, "" },
	},
	[RQ_DONE] = {
		[RE_SHUTDOWN] = { 1, RQ_DONE, "" },
		[RE_GONE] = { 1, RQ_FREED, "" },
		[RE_REAP] = { 1, RQ_FREED, "remove" },
	},
};

static const char *const snames[] = {
	"new", "queued", "running", "abandoned", "orphaned", "done", "",
	"freed",
};
static const char *const enames[] = {
	"valid", "invalid", "answered", "ready", "work-done", "timeout",
	"shutdown", "gone", "reap",
};

static void one_pair(enum rq_state s, enum rq_event e)
{
	struct req_params p = params(REQ_ADD, "assignable-add 07:00.0", 0);
	const struct cell *c = &cells[s][e];
	enum rq_state want = c->possible ? c->to : s, got = s;
	struct request *rq;

	if (e == RE_INVALID)
		reqparse_fail(&p, EINVAL, "bad");
	rq = make("m1", &p);
	for (unsigned int i = 0; path_to[s][i] != RE_NEVENTS; i++)
		got = ev(rq, path_to[s][i]);
	if (!IS(snames[got], snames[s], "%s: reached", snames[s]))
		return;
	reset();
	got = ev(rq, e);
	IS(snames[got], snames[want], "%s --%s--> %s", snames[s], enames[e],
	   snames[want]);
	IS(trace, c->possible ? c->does : "BUG", "%s --%s--> does %s",
	   snames[s], enames[e], c->possible ? c->does : "nothing but "
	   "log a BUG");
	for (unsigned int i = 0; got != RQ_FREED && path_out[got][i] !=
	     RE_NEVENTS; i++)
		ev(rq, path_out[got][i]);
	dir_rm(DIR "/m1");
}

static void every_pair(void)
{
	hold = true;
	for (int s = 0; s < RQ_NSTATES; s++)
		for (int e = 0; e < RE_NEVENTS; e++)
			one_pair(s, e);
	CHECK(!request_find("m1"), "every request of the matrix is freed");
	IS_INT(nfifo, 0, "and off the queues");
	hold = false;
}

/* ------------------------------------------------ failing actions */

static void failures(void)
{
	struct req_params p = params(REQ_ADD, "assignable-add 07:00.0", 0);
	struct request *rq;

	hold = true;
	fail_queue = true;
	rq = make("f1", &p);
	reset();
	IS(snames[ev(rq, RE_VALID)], "done", "no memory for the queues: done "
	   "at once");
	IS(trace, "final(ENOMEM)", "ENOMEM, and never `accepted`");
	IS(last_msg, "assignable-add 07:00.0: out of memory for the request "
	   "queues; nothing was changed", "an honest message");
	fail_queue = false;
	ev(rq, RE_GONE);

	rq = make("f2", &p);
	ev(rq, RE_VALID);
	worker_rc = -EPERM;
	reset();
	IS(snames[ev(rq, RE_READY)], "done", "no thread: done");
	IS(trace, "status(running) qrem final(EPERM)",
	   "with pthread_create's errno, not EAGAIN");
	IS(last_msg, "assignable-add 07:00.0: cannot start a worker thread: "
	   "Operation not permitted; nothing was changed", "and its message");
	worker_rc = 0;
	ev(rq, RE_GONE);
	hold = false;
}

/* ----------------------------------------------- the scheduling pass */

static void scheduling(void)
{
	struct req_params a = params(REQ_ATTACH, "attach 07:00.0", 5);
	struct req_params b = params(REQ_ATTACH, "attach 07:00.1", 5);
	struct request *r1, *r2;
	struct job *j1;

	b.devs[0].func = 1;
	r1 = make("r1", &a);
	r2 = make("r2", &b);
	reset();
	IS(snames[ev(r1, RE_VALID)], "queued", "r1 accepted");
	IS(trace, "qadd status(running) worker",
	   "and the scheduling pass starts it (runnable at once: no "
	   "`accepted`)");
	j1 = last_job;
	reset();
	ev(r2, RE_VALID);
	IS(trace, "qadd status(accepted)", "r2 waits behind r1");
	reset();
	j1->run(j1);
	IS(trace, "attach(r1,5) publish", "the job: the operation, then "
	   "R/devices, on the worker");
	reset();
	j1->done(j1);
	IS(trace, "final(ok) qrem status(running) worker",
	   "r1's answer comes after R/devices; r2 is started at once");
	ev(r1, RE_GONE);
	reset();
	IS(snames[ev(r2, RE_TIMEOUT)], "abandoned", "r2 times out running");
	ev(r2, RE_WORK_DONE);
	ev(r2, RE_GONE);

	/* A queued timeout says whom it waited for. */
	r1 = make("r1", &a);
	r2 = make("r2", &b);
	ev(r1, RE_VALID);
	ev(r2, RE_VALID);
	reset();
	ev(r2, RE_TIMEOUT);
	IS(last_msg, "attach 07:00.1: timed out after 30 s waiting for "
	   "earlier requests: request r1 (attach 07:00.0) on domain 5",
	   "r2's timeout names r1, its op and the guest");
	ev(r2, RE_GONE);
	ev(r1, RE_WORK_DONE);
	ev(r1, RE_GONE);
}

/* ------------------------------------------------------------ timers */

static void timers(void)
{
	struct req_params p = params(REQ_ADD, "assignable-add 07:00.0", 0);
	struct request *rq;
	struct job *j;

	rq = make("t1", &p);
	ev(rq, RE_VALID);
	j = last_job;
	ev(rq, RE_TIMEOUT);
	reset();
	run_loop(0.2);
	IS(trace, "remove", "abandoned: reaped on the reap timer while its "
	   "step runs");
	CHECK(!request_find("t1"), "and its ID is free for a new request");
	j->run(j);
	CHECK(saw_cancel, "its worker was cancelled");
	reset();
	j->done(j);
	IS(trace, "qrem", "the late end of its step writes nothing");
	CHECK(!strstr(logged, "impossible"), "no impossible event");

	rq = make("t2", &p);
	ev(rq, RE_VALID);
	ev(rq, RE_WORK_DONE);
	reset();
	run_loop(0.2);
	IS(trace, "remove", "done: reaped");
	CHECK(!request_find("t2"), "and freed");
}

/* ------------------------------------------------- the watch, reqwatch */

static void watch(void)
{
	hold = true;
	reset();
	reqwatch_event(DIR);
	IS(trace, "list(" DIR ")", "the first event lists R/requests, set "
	   "once at start");
	dir_set(DIR "/w1", "spec", "07:00.0");
	reset();
	reqwatch_event(DIR "/w1/spec");
	IS(trace, "", "no op yet: nothing");
	dir_set(DIR "/w1", "op", "assignable-add");
	reqwatch_event(DIR "/w1/op");
	IS(trace, "qadd status(accepted)", "op appears: accepted");
	reset();
	dir_set(DIR "/w1", "op", "assignable-remove");
	reqwatch_event(DIR "/w1/op");
	IS(trace, "", "op written again: ignored");
	CHECK(strstr(logged, "request w1: change ignored"), "and logged");
	dir_rm(DIR "/w1");
	reset();
	reqwatch_event(DIR "/w1");
	IS(trace, "qrem", "the directory removed: gone");
	CHECK(!request_find("w1"), "and freed");

	dir_set(DIR "/w2", "op", "attach");
	dir_set(DIR "/w2", "spec", "07:00.0");
	dir_set(DIR "/w2", "domid", "5");
	dir_set(DIR "/w2", "status", "running");
	reset();
	reqwatch_event(DIR);
	IS(trace, "list(" DIR ") qadd", "found running at start: served, "
	   "never back to accepted");
	dir_set(DIR "/w3", "op", "assignable-add");
	dir_set(DIR "/w3", "status", "ok");
	dir_set(DIR "/w4", "op", "assignable-remove");
	dir_set(DIR "/w4", "spec", "name=nosuch");
	dir_rm(DIR "/w2");
	reset();
	reqwatch_event(DIR);
	IS(trace, "list(" DIR ") final(ENODEV) qrem", "a final status is "
	   "left alone, a bad name refused, w2's removal seen in the scan");
	IS(last_msg, "no device is named 'nosuch' (/libxl/pci/*/name)",
	   "name= resolved on the I/O side");
	reset();
	reqwatch_event(DIR "x/w3");
	reqwatch_event("/elsewhere");
	IS(trace, "", "paths outside R/requests are ignored");
	run_loop(0.2);
	CHECK(!request_find("w3") && !request_find("w4"), "both reaped");
	hold = false;
}

/* ------------------------------------------------- the agent's own */

static void own_run(const struct req_params *p)
{
	tr("own(%u,%u)", p->domid, p->ndevs);
}

static void internal(void)
{
	struct req_params p = params(REQ_CLEANUP, "cleanup of dead domain 7",
				     7);
	struct req_params q = p;

	reset();
	IS_INT(request_submit("cleanup-7", &p, own_run), 0, "a cleanup is queued");
	IS(trace, "qadd worker", "no directory: nothing written, started");
	IS_INT(request_submit("cleanup-7", &q, own_run), -EALREADY,
	       "a second one while the first runs is not");
	CHECK(!request_find("cleanup-7"), "it has no ID a requester could "
	      "collide with");
	reset();
	last_job->run(last_job);
	IS(trace, "own(7,1) publish", "it does its own work, then publishes");
	reset();
	last_job->done(last_job);
	IS(trace, "qrem", "done: no answer to write");
	run_loop(0.05);
}

static void shutdown(void)
{
	struct req_params p = params(REQ_ADD, "assignable-add 07:00.0", 0);
	struct req_params q = params(REQ_CLEANUP, "cleanup", 8);
	struct request *r1, *r2;
	struct job *j;

	r1 = make("s1", &p);
	r2 = make("s2", &p);
	ev(r1, RE_VALID);
	j = last_job;
	ev(r2, RE_VALID);
	idle_calls = 0;
	reset();
	request_shutdown();
	IS(trace, "qrem final(ECANCELED)", "shutdown: the queued one is "
	   "cancelled, the running one goes on");
	IS_INT(idle_calls, 0, "not idle while one runs");
	CHECK(!request_accepting(), "no new request is taken");
	IS_INT(request_submit("cleanup-8", &q, own_run), -ECANCELED, "nor a cleanup");
	dir_set(DIR "/s3", "op", "assignable-list");
	reset();
	reqwatch_event(DIR "/s3/op");
	IS(trace, "", "a request written now is left for the next start");
	j->done(j);
	CHECK(idle_calls > 0, "idle once the running one ends");
	CHECK(request_idle(), "request_idle agrees");
}

int main(void)
{
	loop = ev_default_loop(0);
	setenv("XEN_PCI_AGENT_REAP_SECONDS", "0.05", 1);
	request_init(idle);
	reqwatch_init(DIR);
	every_pair();
	failures();
	scheduling();
	timers();
	watch();
	internal();
	shutdown();
	request_free_all();
	return unit_done();
}
