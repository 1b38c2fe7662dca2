/*
 * The published R/devices tree (protocol/PROTOCOL.md): one directory
 * per device on pciback, written from what the device table observes.
 * Safe on any thread; concurrent publishers are serialised here.
 */
#ifndef XENPCI_PUBLISH_H
#define XENPCI_PUBLISH_H

#include "bdf.h"
#include "xs.h"

/* Every device on pciback; stale entries go (start-up, dead guests). */
void publish_all(void);
/* Only these devices: their entries written, or removed when they are
 * no longer on pciback.  One transaction. */
void publish_devices(const struct bdf *devs, unsigned int n);
/*
 * The same, and then(h, t, arg) in the same transaction (run again when
 * the transaction is): the answer of the request that touched them.
 * 0, or the transaction's error.
 */
typedef int (*publish_then_fn)(struct xs_handle *h, xs_transaction_t t,
			       void *arg);
int publish_devices_then(const struct bdf *devs, unsigned int n,
			 publish_then_fn then, void *arg);

#endif
