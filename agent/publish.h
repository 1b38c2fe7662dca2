/*
 * The published R/devices tree (protocol/PROTOCOL.md): one directory
 * per device on pciback, written from what the device table observes.
 * Safe on any thread; concurrent publishers are serialised here.
 */
#ifndef XENPCI_PUBLISH_H
#define XENPCI_PUBLISH_H

#include "bdf.h"

/* Every device on pciback; stale entries go (start-up, dead guests). */
void publish_all(void);
/* Only these devices: their entries written, or removed when they are
 * no longer on pciback.  One transaction. */
void publish_devices(const struct bdf *devs, unsigned int n);

#endif
