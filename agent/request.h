/*
 * Requests under R/requests: the state table and its events.
 */
#ifndef XENPCI_REQUEST_H
#define XENPCI_REQUEST_H

#include <stdbool.h>

#include "bdf.h"

struct request;
void request_watch_event(const char *path);
void request_scan_all(void);
void request_runnable(struct request *rq);
void request_shutdown(void);
void request_cleanup_domain(unsigned int domid, const struct bdf *devs,
			    unsigned int n);
bool request_all_final(void);
void request_free_all(void);

#endif
