// SPDX-License-Identifier: GPL-2.0
/*
 * simsysfs --mount DIR [--inventory FILE] [--foreground]
 *
 * Mounts a simulated Linux 6.1 /sys/bus/pci with xen-pciback at DIR/sys
 * and its control files at DIR/sim.  Without --foreground it returns
 * once the mount is usable and keeps serving in the background; the
 * daemon's pid is in DIR/sim/pid.  "fusermount3 -u DIR" or SIGTERM ends
 * it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "simsysfs.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: simsysfs --mount DIR [--inventory FILE] "
		"[--foreground]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mount", required_argument, NULL, 'm' },
		{ "inventory", required_argument, NULL, 'i' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mnt = NULL, *inventory = NULL;
	bool foreground = false;
	struct stat st;
	int c, err;

	while ((c = getopt_long(argc, argv, "m:i:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			mnt = optarg;
			break;
		case 'i':
			inventory = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!mnt || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (stat(mnt, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "simsysfs: %s: not a directory\n", mnt);
		return 2;
	}
	err = inventory ? inventory_load(inventory) : inventory_load_default();
	inventory_free();
	if (err) {
		fprintf(stderr, "simsysfs: unable to load the inventory\n");
		sim_free_all();
		return 2;
	}
	err = simfs_main(mnt, foreground);
	sim_free_all();
	return err;
}
