/*
 * Runs a request's steps on a thread of its own; completion comes back
 * to the loop through ev_async.
 */
#ifndef XENPCI_WORKER_H
#define XENPCI_WORKER_H

struct job;
typedef void (*job_fn)(struct job *j);
struct job {
	job_fn run;		/* on the worker thread */
	job_fn done;		/* back on the loop */
	void *data;
	struct job *next;	/* completion list */
};
int worker_init(void);
/* 0 or -errno (pthread_create's). */
int worker_start(struct job *j);
int worker_busy(void);

#endif
