/*
 * xenstore I/O: the agent's one connection, its watch on R/requests and
 * the nodes it publishes under R, and small helpers every layer above
 * uses.
 */
#ifndef XENPCI_XS_H
#define XENPCI_XS_H

#include <stdbool.h>

#include <xenstore.h>

extern struct xs_handle *xsh;
extern char agent_root[64];	/* R */

int xs_connect(void);
void xs_disconnect(void);
int xs_publish_start(void);
int xs_publish_running(void);
void xs_publish_stopped(void);
/* The tokens of the agent's watches. */
#define XS_TOKEN_REQUESTS	"requests"	/* R/requests */
#define XS_TOKEN_DOMAINS	"domains"	/* @releaseDomain */
#define XS_TOKEN_BACKENDS	"backends"	/* our PCI backends (xl's) */
/* R/requests, set by xs_connect(). */
const char *xs_requests_path(void);
/* XENPCI_BE_DIR_FMT of the agent's domain, set by xs_connect(). */
const char *xs_backends_path(void);
/* Sets the watches: 0 or -1. */
int xs_watch_requests(void);
/* Readable while watch events are queued. */
int xs_watch_fd(void);
/*
 * The next queued event (XS_WATCH_PATH, XS_WATCH_TOKEN; one free()), or
 * NULL: errno EAGAIN when none is queued, else the connection is lost.
 */
char **xs_next_watch(void);
void xs_stop_watching(void);
/*
 * xs_read() and xs_directory(), with a refusal other than ENOENT tried
 * again (and logged if it stays): NULL is "absent" to the callers.
 */
void *xs_read_h(struct xs_handle *h, xs_transaction_t t, const char *path,
		unsigned int *len);
char **xs_directory_h(struct xs_handle *h, xs_transaction_t t,
		      const char *path, unsigned int *n);
/* NULL if absent; caller frees. */
char *xs_read_str(xs_transaction_t t, const char *path);
bool xs_write_str(xs_transaction_t t, const char *path, const char *val);
bool xs_exists(xs_transaction_t t, const char *path);
/* Remove; a node that is already gone is not an error. */
bool xs_remove(xs_transaction_t t, const char *path);
/*
 * The names in directory path, of any size (oxenstored cannot list more
 * than 4096 bytes on libxenstore's handle), outside any transaction:
 * NULL with errno, else one free().
 */
char **xs_list(const char *path, unsigned int *n);
/*
 * Runs fn in a transaction on h and commits it.  fn returns 0 to commit
 * or -errno to abort: the transaction is then ended with abort and that
 * -errno returned.  A commit that meets a conflict (EAGAIN) runs fn
 * again from the start, in a new transaction, so fn must read what it
 * depends on inside t and keep no effects outside it but what a rerun
 * overwrites.  0, or -errno of the start, of fn or of the commit.
 */
int xs_txn_run(struct xs_handle *h,
	       int (*fn)(struct xs_handle *h, xs_transaction_t t, void *arg),
	       void *arg);

#endif
