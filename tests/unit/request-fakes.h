/*
 * The fakes test-request.c runs request.c against
 * (tests/unit/request-fakes.c), and their knobs.
 */
#ifndef XENPCI_REQUEST_FAKES_H
#define XENPCI_REQUEST_FAKES_H

#include <stdbool.h>

/* What the fakes were asked to do, space separated. */
extern char trace[2048];
void tr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last final message, and every line logged. */
extern char last_msg[1024], logged[4096];

/* The fake xenstore: a request directory's nodes. */
void dir_set(const char *path, const char *name, const char *val);
void dir_rm(const char *path);

/* The queue: one FIFO, its head ready unless hold. */
extern bool hold, fail_queue;
extern unsigned int nfifo;
/* worker_start's result; the job it last started. */
extern int worker_rc;
extern struct job *last_job;
/* Whether an op saw its cancel set. */
extern bool saw_cancel;

#endif
