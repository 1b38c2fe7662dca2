/*
 * Telling a worker to give up: an atomic flag it checks between steps
 * and an eventfd it can wait on together with whatever it waits for, so
 * that a request's timeout reaches a worker blocked in poll() at once,
 * not on a periodic tick.
 */
#ifndef XENPCI_CANCEL_H
#define XENPCI_CANCEL_H

#include <stdatomic.h>
#include <stdbool.h>

struct cancel {
	atomic_int flag;
	int fd;			/* eventfd, readable once cancelled; -1 */
};

/* 0 or -errno. */
int cancel_init(struct cancel *c);
void cancel_destroy(struct cancel *c);
/* Any thread; idempotent. */
void cancel_set(struct cancel *c);
/* NULL is never cancelled. */
bool cancel_is_set(const struct cancel *c);
/* For poll(): readable once cancelled, -1 for NULL. */
int cancel_fd(const struct cancel *c);

#endif
