/*
 * Permissive hints: pciback's warning that a guest's driver wrote a
 * read-only configuration space field, turned into a line on the
 * device (R/devices/K/permissive-hint) that says which guest, where,
 * and that permissive=1 may be needed.  Kept in <state dir>/hints/K
 * while the device stays on pciback.
 */
#ifndef XENPCI_HINT_H
#define XENPCI_HINT_H

#include <stdbool.h>
#include <stddef.h>

#include "bdf.h"

struct ro_write {
	struct bdf bdf;
	unsigned int offset, size;
};

/*
 * A /dev/kmsg record ("4,812,9154321,-;pciback 0000:00:04.0:
 * xen-pciback: Driver tried to write to a read-only configuration
 * space field at offset 0xe0, size 2. ...") or a dmesg line without
 * the header: true and *w if it is that warning.
 */
bool hint_parse_kmsg(const char *rec, size_t len, struct ro_write *w);
/* domid: the guest using the device then, -1 unknown.  0 or -errno. */
int hint_record(const struct ro_write *w, long domid);
/* The hint's line, or "" (none). */
void hint_get(const struct bdf *b, char *buf, size_t len);
/* The device left pciback: the kernel forgot it warned (dev_data). */
void hint_clear(const struct bdf *b);

#endif
