/*
 * The per-device request queues and the published R/devices tree.
 */
#ifndef XENPCI_DEVICES_H
#define XENPCI_DEVICES_H

#include <stdbool.h>

#include "bdf.h"

struct request;
void devices_publish(void);
/* Queue the request on each of its devices; true if it can run now. */
bool devices_enqueue(struct request *rq, const struct bdf *b,
		     unsigned int n);
/* Remove from the queues; requests that can now run are started. */
void devices_release(struct request *rq, const struct bdf *b,
		     unsigned int n);
bool devices_at_head(struct request *rq, const struct bdf *b,
		     unsigned int n);

#endif
