/*
 * Requests: the state table and its events (request.c).  reqwatch.c
 * feeds it what the watch on R/requests sees, domains.c the cleanups of
 * dead guests.  Everything here runs on the loop thread.
 */
#ifndef XENPCI_REQUEST_H
#define XENPCI_REQUEST_H

#include <stdbool.h>

#include "reqparse.h"

#define REQ_ID_LEN	3200	/* any ID xenstore can hold */
#define REQ_PATH_LEN	(REQ_ID_LEN + 128)

/*
 * idle: called after an event once request_shutdown() has been called
 * and request_idle() holds; it may be called more than once.
 */
void request_init(void (*idle)(void));
/* The request with that ID whose directory we answer in, or NULL. */
struct request *request_find(const char *id);
/*
 * A directory with `op`, read: a new request.  status: what the
 * directory had (NULL, or from an agent before this one); p: reqparse's
 * result, valid or not (p->err), taken over.
 */
void request_admit(const char *id, const char *dir, const char *status,
		   struct req_params *p);
/* Its directory lost its status: removed, perhaps written again. */
void request_gone(struct request *rq);
/* request_gone() for every request whose directory lost its status. */
void request_forget_vanished(void);
/*
 * A request of the agent's own (no directory, no answer), queued like
 * the others on p's resources; run does its work on the worker, holding
 * them.  p is taken over.  0, -EALREADY while one of that ID is in
 * flight, -ECANCELED when stopping, or -ENOMEM.
 */
int request_submit(const char *id, struct req_params *p,
		   void (*run)(const struct req_params *p));
/*
 * A request other than one running `except` is queued or runs on guest
 * domid (xlwatch.c: the backend's changes are then the agent's own).
 */
bool request_guest_busy(unsigned int domid,
			void (*except)(const struct req_params *p));
/*
 * While on, requests are admitted but none is started: main.c holds
 * for a drain of the watch, so that attaches written together to one
 * guest are all queued before the first runs, and share its drive.
 * Off starts what became ready.
 */
void request_hold(bool on);
/* Stop taking requests; queued ones get ECANCELED, running ones end. */
void request_shutdown(void);
bool request_accepting(void);
/* Nothing waits for an answer or for its step to end. */
bool request_idle(void);
/* At exit, once no worker runs. */
void request_free_all(void);

/* The table, for tests/unit/test-request.c. */
enum rq_state {
	RQ_NEW,		/* just read, no event yet */
	RQ_QUEUED,	/* accepted, waiting for its resources */
	RQ_RUNNING,	/* its worker runs */
	RQ_ABANDONED,	/* timed out (answered); its worker still runs */
	RQ_ORPHANED,	/* nowhere to answer; its worker still runs */
	RQ_DONE,	/* answered, no worker; waiting to be reaped */
	RQ_NSTATES,
	RQ_FREED,	/* pseudo state: the request is freed */
};
enum rq_event {
	RE_VALID, RE_INVALID, RE_ANSWERED, RE_READY, RE_WORK_DONE,
	RE_TIMEOUT, RE_SHUTDOWN, RE_GONE, RE_REAP, RE_NEVENTS,
};
/* A request before its first event (dir NULL: the agent's own). */
struct request *request_test_new(const char *id, const char *dir,
				 const struct req_params *p);
/* One event, then the scheduling pass: the state the event led to. */
enum rq_state request_test_event(struct request *rq, enum rq_event ev);

#endif
