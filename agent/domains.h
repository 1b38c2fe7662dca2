/*
 * @releaseDomain: clean up after the guests holding devices that died.
 */
#ifndef XENPCI_DOMAINS_H
#define XENPCI_DOMAINS_H

void domains_changed(void);

#endif
