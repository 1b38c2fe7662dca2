/*
 * The kernel log (kmsgwatch.c): pciback's read-only config write
 * warnings become permissive hints on their devices.
 */
#ifndef XENPCI_KMSGWATCH_H
#define XENPCI_KMSGWATCH_H

/* Opens <dev root>/kmsg at its end; without it, no hints (logged). */
void kmsgwatch_init(void);
void kmsgwatch_shutdown(void);

#endif
