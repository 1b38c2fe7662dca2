// SPDX-License-Identifier: GPL-2.0
/*
 * What says which device draws dom0's console: sys/class/vtconsole
 * (drivers/tty/vt/vt.c, the vtconsole class: "name" and "bind" of each
 * console driver) and sys/class/graphics/fbN/device (fbmem.c, a frame
 * buffer's parent device).  With fbcon=1 in the inventory fbcon has
 * taken the console over: vtcon0 is the dummy, unbound, and vtcon1 "(M)
 * frame buffer device" is bound; without it vgacon ("(S) VGA+") is.
 * A device's fbN exists while its (non-pciback) driver is bound.  The
 * class directories are flat here, where the kernel links them to the
 * device's own graphics/ directory.
 */
#include <stdio.h>
#include <string.h>

#include "simsysfs.h"

struct sim_dev *console_fb_dev(int fb)
{
	for (size_t i = 0; i < sim.ndevs; i++) {
		struct sim_dev *d = sim.devs[i];

		if (d->fb == fb && d->present && d->driver &&
		    !d->driver->is_pciback)
			return d;
	}
	return NULL;
}

/* The file's own path says which console driver it is of. */
static bool is_fbcon(const struct node *n)
{
	return strstr(n->logpath, "vtcon1/") != NULL;
}

static int vtcon_name_show(struct node *n, struct strbuf *sb)
{
	if (is_fbcon(n))
		return sb_printf(sb, "(M) frame buffer device\n");
	return sb_printf(sb, "%s\n", sim.fbcon ? "(S) dummy device" :
			 "(S) VGA+");
}

static int vtcon_bind_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "%d\n", is_fbcon(n) || !sim.fbcon);
}

const struct attr vtcon_attrs[] = {
	{ "name", 0444, vtcon_name_show, NULL, NULL, false },
	{ "bind", 0444, vtcon_bind_show, NULL, NULL, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};
