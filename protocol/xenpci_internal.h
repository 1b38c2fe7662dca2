/*
 * libxenpci internals shared by its source files; not installed.
 */
#ifndef XENPCI_INTERNAL_H
#define XENPCI_INTERNAL_H

#include <stdbool.h>
#include <xenstore.h>

#include "xenpci_client.h"

#define XENPCI_PATH_MAX	256

struct xenpci_client {
	struct xs_handle *xs;
	/*
	 * The watches' connection, opened by the first wait.  libxenstore
	 * starts a reader thread on a handle's first watch, and every
	 * reply on that handle then travels through it: two more thread
	 * wake-ups per request (issue 10, the CLI's cost).  xs has none.
	 */
	struct xs_handle *xw;
	unsigned int agent_domid;
	char root[64];			/* R */
	char errmsg[512];
	bool state_watched;		/* R/state, until the close */
	bool state_fresh;		/* its first event not seen yet */
	/* the status watch of the last request, removed by the next */
	char unwatch_path[XENPCI_PATH_MAX];
	char unwatch_token[XENPCI_PATH_MAX];
};

/* Record the last failure of c: printf-style context. */
void xenpci_set_err(struct xenpci_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Join R and a relative path into buf.  0 or -ENAMETOOLONG. */
int xenpci_path(const struct xenpci_client *c, char *buf, size_t len,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
