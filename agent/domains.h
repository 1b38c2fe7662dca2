/*
 * @releaseDomain: clean up after the guests holding devices that died
 * (domains.c).  On the loop thread.
 */
#ifndef XENPCI_DOMAINS_H
#define XENPCI_DOMAINS_H

#include <stdbool.h>

/* idle: called when a check ends after domains_shutdown(). */
void domains_init(void (*idle)(void));
/* Some domain went away: check, on a worker, which guests did. */
void domains_changed(void);
/* Start no more checks. */
void domains_shutdown(void);
/* No check is running. */
bool domains_idle(void);

#endif
