/*
 * The agent's safety policy (policy.c): the dom0 guard, which refuses
 * to take away from dom0 a device dom0 itself depends on.
 */
#ifndef XENPCI_POLICY_H
#define XENPCI_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "bdf.h"

/*
 * --protect SPEC: "[DDDD:]BB:DD.F" or "[DDDD:]BB:DD.*" (every
 * function).  0, or -EINVAL for a bad spec, -ENOSPC past the limit.
 */
int policy_protect(const char *spec);

/*
 * Does dom0 use b, another function of its slot, a device behind it
 * (a bridge), or one sharing its requester ID (behind a PCIe-to-PCI
 * bridge)?  1 with why = what is in use ("eth0 is up with route
 * 0.0.0.0/0 via 10.0.2.2; ..."), 0 not, or -errno when that cannot be
 * told (why says which file).
 */
int policy_dom0_uses(const struct bdf *b, char *why, size_t len);

#endif

/* Where a device sits, for the readiness check. */
struct policy_topo {
	bool bridge;		/* a host or PCI bridge itself */
	char group[512];	/* what goes with it: "BDF (why), ..." */
	char above[128];	/* the nearest bridge above it, "" none */
	unsigned int above_span;
	unsigned int msix;	/* MSI-X vectors, 0 none */
};
/* 0, or -errno (-ENODEV: no such device). */
int policy_group(const struct bdf *b, struct policy_topo *t);

/*
 * Reset tracking: whether a device was reset since its last guest
 * (clean, and how) or not (dirty: which guest had it, and why it could
 * not be reset).  Kept in <state dir>/reset/<K>, so a restarted agent
 * knows; a device with no record has never been with a guest.
 */
enum reset_state {
	RESET_NEVER,	/* never with a guest */
	RESET_CLEAN,	/* reset since domid had it, by method */
	RESET_DIRTY,	/* not reset since domid had it: why */
	RESET_IN_USE,	/* domid has it (why: what was let go, or "") */
};
struct reset_rec {
	enum reset_state state;
	long domid;		/* the last guest, -1 none */
	char method[32];	/* clean: "flr", "do_flr", ... */
	char why[160];
};
/* The record, or state RESET_NEVER; never fails. */
void policy_reset_get(const struct bdf *b, struct reset_rec *r);
/* 0 or -errno (logged). */
int policy_reset_put(const struct bdf *b, const struct reset_rec *r);
/*
 * "clean (flr)", "dirty: domain 5 had it; no reset method", "dirty:
 * domain 5 has it", "" never.
 */
const char *policy_reset_str(const struct reset_rec *r, char *buf,
			     size_t len);

/* --reset-policy / reset=: refuse a dirty device to another guest. */
enum reset_policy { RESET_POLICY_DEFAULT, RESET_POLICY_BEST_EFFORT,
		    RESET_POLICY_STRICT };
/* "strict" or "best-effort": 0 and *p, or -EINVAL. */
int policy_reset_parse(const char *s, enum reset_policy *p);

/*
 * Device history: the last POLICY_HISTORY operations on a device
 * ("2026-12-02T06:01:00Z attach domain 5: ok") and its last error, in
 * <state dir>/history/K, published in R/devices/K/.
 */
#define POLICY_HISTORY	5
struct policy_history {
	char line[POLICY_HISTORY][200];	/* oldest first */
	unsigned int n;
	char last_error[600];		/* "" none */
};
/* what: "attach domain 5"; err 0 or errno; msg the error message. */
void policy_history_add(const struct bdf *b, const char *what, int err,
			const char *msg);
void policy_history_get(const struct bdf *b, struct policy_history *h);
