/*
 * pciback's read-only write warning as the kernel prints it
 * (agent/hint.c hint_parse_kmsg()): /dev/kmsg records of Linux 6.1
 * (dev_fmt adds "xen-pciback: "), the older form the seed article
 * quotes, dmesg lines without the record header; and what is not it.
 */
#include <string.h>

#include "../../agent/hint.h"
#include "unit.h"

#define TEXT "Driver tried to write to a read-only configuration space " \
	     "field at offset 0xe0, size 2. This may be harmless, but if " \
	     "you have problems with your device:\\x0a1) see permissive " \
	     "attribute in sysfs\\x0a2) report problems to the xen-devel " \
	     "mailing list along with details of your device obtained " \
	     "from lspci.\n SUBSYSTEM=pci\n DEVICE=+pci:0000:01:02.0\n"

static void found(const char *rec, unsigned int bus, unsigned int dev,
		  unsigned int off, unsigned int size, const char *what)
{
	struct ro_write w;
	bool ok = hint_parse_kmsg(rec, strlen(rec), &w);

	CHECK(ok && w.bdf.bus == bus && w.bdf.dev == dev &&
	      w.offset == off && w.size == size, "%s", what);
}

static void not_found(const char *rec, const char *what)
{
	struct ro_write w;

	CHECK(!hint_parse_kmsg(rec, strlen(rec), &w), "%s", what);
}

int main(void)
{
	found("4,812,9154321,-;pciback 0000:01:02.0: xen-pciback: " TEXT,
	      1, 2, 0xe0, 2, "a 6.1 /dev/kmsg record");
	found("4,3,15,-;pciback 0000:01:02.0: " TEXT, 1, 2, 0xe0, 2,
	      "the older form (no dev_fmt), as the seed quotes it");
	found("pciback 0000:0a:1f.3: Driver tried to write to a read-only "
	      "configuration space field at offset 0x44, size 4. This",
	      0xa, 0x1f, 0x44, 4, "a dmesg line, no header");
	found("4,1,2,-;xen-pciback 0000:01:02.0: " TEXT, 1, 2, 0xe0, 2,
	      "the driver called xen-pciback");
	not_found("4,5,6,-;pciback 0000:01:02.0: enabling permissive mode "
		  "configuration space accesses!\n",
		  "the permissive notice is not a warning to hint");
	not_found("4,5,6,-;e1000e 0000:01:02.0: " TEXT,
		  "another driver's words are not pciback's");
	not_found("4,5,6,-;pciback 0000:01:02.0 " TEXT,
		  "no colon after the device");
	not_found("4,5,6,-;pciback junk: " TEXT, "no device");
	not_found("4,5,6,-;pciback 0000:01:02.0: Driver tried to write to "
		  "a read-only configuration space field at offset zz",
		  "no offset");
	not_found("", "an empty record");
	return unit_done();
}
