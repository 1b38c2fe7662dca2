/*
 * The watch on the agent's PCI backends (xlwatch.c): the hotplug
 * script phases of what `xl pci-attach` / `xl pci-detach` do there.
 */
#ifndef XENPCI_XLWATCH_H
#define XENPCI_XLWATCH_H

#include <stdbool.h>

void xlwatch_init(void (*idle)(void));
/* An event of the XS_TOKEN_BACKENDS watch. */
void xlwatch_event(const char *path);
void xlwatch_shutdown(void);
bool xlwatch_idle(void);

#endif
