/*
 * Runs blocking work on a thread of its own; completion comes back to
 * the loop through ev_async (worker.c says which blocking calls the
 * loop still makes itself).
 */
#ifndef XENPCI_WORKER_H
#define XENPCI_WORKER_H

struct job;
typedef void (*job_fn)(struct job *j);
struct job {
	job_fn run;		/* on the worker thread */
	job_fn done;		/* back on the loop, in completion order */
	void *data;
	struct job *next;	/* completion list */
};
int worker_init(void);
/* 0 or -errno (pthread_create's): then done is never called. */
int worker_start(struct job *j);
/* Jobs started whose done has not run yet. */
int worker_busy(void);

#endif
