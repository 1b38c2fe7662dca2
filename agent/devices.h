/*
 * The published R/devices tree (devices.c); the request queues are
 * queue.h's.
 */
#ifndef XENPCI_DEVICES_H
#define XENPCI_DEVICES_H

void devices_publish(void);

#endif
