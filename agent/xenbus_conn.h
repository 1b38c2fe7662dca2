/*
 * xenbus.c's view of one guest's PCI backend and frontend
 * (xenbus_conn.c): a connection of its own, nodes read and written
 * relative to BE and FE with every change checked, and waiting for a
 * condition on them.  xenbus_conn.c also reads the backends for
 * xb_list() and xb_backends(); xenbus.c makes every change.  Nothing
 * else includes this.
 */
#ifndef XENPCI_XENBUS_CONN_H
#define XENPCI_XENBUS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <xen/io/xenbus.h>
#include <xenstore.h>

#include "bdf.h"
#include "xenbus.h"

#define XBC_PATH	160

struct xbc {
	struct xs_handle *h;
	unsigned int be_domid, domid;
	char be[96], fe[96], err[128];	/* BE, FE, pciback's error node */
	char failed[XBC_PATH + 32];	/* the first change that failed */
};

/* 0 or -errno. */
int xbc_open(struct xbc *c, unsigned int be_domid, unsigned int domid);
void xbc_close(struct xbc *c);

/*
 * Nodes DIR/<key>, the key a format ("state-%u").  Changes return 0 or
 * -errno and remember the first one that failed for xbc_log_failed().
 */
char *xbc_read(struct xbc *c, xs_transaction_t t, const char *dir,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The node as a decimal number, or def when absent or not a number. */
int xbc_int(struct xbc *c, xs_transaction_t t, const char *dir, int def,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int xbc_write(struct xbc *c, xs_transaction_t t, const char *dir,
	      const char *val, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* A xenbus state node: st's number in decimal. */
int xbc_state(struct xbc *c, xs_transaction_t t, const char *dir,
	      enum xenbus_state st, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* A node that is not there (ENOENT) is not a failure. */
int xbc_rm(struct xbc *c, xs_transaction_t t, const char *dir,
	   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Record "<what> <path>" as failed; -errno (EIO without one). */
int xbc_failed(struct xbc *c, const char *what, const char *path);
/* Log, about b (or no device), the change that failed with rc; forget it. */
void xbc_log_failed(struct xbc *c, const struct bdf *b, int rc);

/*
 * What pciback and pcifront write, parsed (pure, for tests/fuzz/): a
 * decimal int (def when absent, not a number or out of range); dev-N
 * or vdev-N, each part in range; the error node's "<errno> <message>"
 * as msg and -errno (-EIO without one); a backend directory's domid.
 */
int xbc_parse_int(const char *v, int def);
bool xbc_parse_bdf(const char *s, struct bdf *b);
int xbc_parse_error(const char *e, unsigned int domid, char *msg,
		    size_t len);
bool xbc_parse_domid(const char *s, unsigned int *domid);

/* BE/state, FE/state, BE/state-i, BE/num_devs; -1 (def) when absent. */
int xbc_be_state(struct xbc *c);
int xbc_fe_state(struct xbc *c);
int xbc_state_i(struct xbc *c, xs_transaction_t t, unsigned int i);
int xbc_num_devs(struct xbc *c, xs_transaction_t t, int def);

/* The index i of b (BE/dev-i) among the first num, or -ENOENT. */
int xbc_find(struct xbc *c, xs_transaction_t t, const struct bdf *b,
	     int num);

/*
 * Waits until cond returns 1 (then 0) or -errno (returned); re-checked
 * on every change under BE and FE.  -ETIMEDOUT after w->timeout_ms,
 * -ECANCELED as soon as w->cancel is set.
 */
int xbc_wait(struct xbc *c, int (*cond)(struct xbc *c, void *arg),
	     void *arg, const struct xb_wait *w);
/* pciback closed the backend: its error as msg, and -errno. */
int xbc_backend_error(struct xbc *c, char *msg, size_t len);

#endif
