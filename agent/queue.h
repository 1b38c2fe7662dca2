/*
 * The per-resource FIFO queues that serialise requests on the loop
 * (queue.c): a device or a guest is a resource; a waiter runs when it
 * heads the queue of every resource it named.  A barrier names none and
 * waits for every waiter that arrived before it.  Those that become
 * ready are handed out by queue_pop_ready(), so that the caller never
 * looks at the others.
 */
#ifndef XENPCI_QUEUE_H
#define XENPCI_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/queue.h>

#include "bdf.h"

enum qres_kind { QRES_DEV, QRES_DOM };

struct qres {
	enum qres_kind kind;
	struct bdf bdf;		/* QRES_DEV */
	unsigned int domid;	/* QRES_DOM */
};

/* Embedded in its owner; the fields are queue.c's. */
struct qwaiter {
	void *owner;
	const struct qres *res;	/* the caller's, kept while queued */
	unsigned int nres;
	bool queued, barrier;
	bool held;		/* a barrier not ready yet */
	bool announced;		/* put on the ready list (once) */
	bool on_ready;		/* and not popped yet */
	unsigned long seq;	/* arrival order */
	TAILQ_ENTRY(qwaiter) link;	/* arrivals, or the held barriers */
	TAILQ_ENTRY(qwaiter) rlink;	/* the ready list */
};

void queue_waiter_init(struct qwaiter *w, void *owner);
/*
 * Appends w to the queue of each of res[0..n), all at once; each
 * resource once.  0, or -ENOMEM with w on no queue.
 */
int queue_add(struct qwaiter *w, const struct qres *res, unsigned int n);
/* w waits for every non-barrier waiter added before it.  0. */
int queue_add_barrier(struct qwaiter *w);
bool queue_ready(const struct qwaiter *w);
/*
 * The next waiter that has become ready since it was added, each one
 * once, in the order they became ready; NULL if none.
 */
struct qwaiter *queue_pop_ready(void);
/* Takes w off its queues (a waiter on none is fine). */
void queue_remove(struct qwaiter *w);
/*
 * Whom w waits for: the waiter at the head of the first queue w does not
 * head, with *on set to that resource; for a barrier the oldest earlier
 * waiter, *on NULL.  NULL if w is ready or not queued.
 */
struct qwaiter *queue_blocker(const struct qwaiter *w,
			      const struct qres **on);
/*
 * The i-th waiter on r's queue (0: its head), NULL past its end: the
 * requests that may join the head's run (request.c's groups).
 */
struct qwaiter *queue_at(const struct qres *r, unsigned int i);
/* w heads the queue of every resource it named except r. */
bool queue_heads_but(const struct qwaiter *w, const struct qres *r);
/* "0000:07:00.0" or "domain 5". */
const char *qres_str(const struct qres *r, char *buf, size_t len);

/* Tests: the allocator (realloc's contract); NULL restores realloc. */
void queue_set_realloc(void *(*fn)(void *p, size_t n));

#endif
