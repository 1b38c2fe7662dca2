/*
 * Persistent assignments (xen-pci-agent.cfg's `assignable`): each
 * listed spec becomes an assignable-add request to the agent itself, so
 * that it goes through the same queues, guard and journal as any other
 * and ends with a final status in xenstore and in the log.
 */
#ifndef XENPCI_PERSIST_H
#define XENPCI_PERSIST_H

/* Writes one request per spec; the number written.  Failures logged. */
unsigned int persist_apply(char *const *specs, unsigned int n);

#endif
