/* The intent record's round trip through the state dir (statedir.c). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../agent/config.h"
#include "../../agent/statedir.h"
#include "unit.h"

static void round_trip(void)
{
	struct intent in = {
		.bdf = { 0, 7, 0, 1 }, .goal = "assignable", .goal_domid = -1,
		.ret = "host", .ret_domid = -1, .request = "r-1_x",
		.orig_driver = "/sys/bus/pci/drivers/igb",
		.wrote_xs_path = true, .boot_id = "boot-1",
	}, back;
	struct bdf *list = NULL;
	unsigned int n = 0;

	IS_INT(intent_write(&in), 0, "write a record");
	IS_INT(intent_read(&in.bdf, &back), 0, "read it back");
	CHECK(bdf_eq(&back.bdf, &in.bdf), "same device");
	IS(back.goal, "assignable", "same goal");
	IS_INT(back.goal_domid, -1, "no guest in the goal");
	IS(back.ret, "host", "same goal to return to");
	IS(back.request, "r-1_x", "same request");
	IS(back.orig_driver, in.orig_driver, "same original driver");
	CHECK(back.wrote_xs_path, "same wrote_xs_path");
	IS(back.boot_id, "boot-1", "same boot");
	IS_INT(intent_list(&list, &n), 0, "list the records");
	CHECK(n == 1 && bdf_eq(&list[0], &in.bdf), "one record, this one");
	free(list);

	snprintf(in.goal, sizeof(in.goal), "attached");
	in.goal_domid = 5;
	snprintf(in.ret, sizeof(in.ret), "detached");
	in.ret_domid = 5;
	IS_INT(intent_write(&in), 0, "rewrite it for an attach");
	IS_INT(intent_read(&in.bdf, &back), 0, "read the new one");
	CHECK(!strcmp(back.goal, "attached") && back.goal_domid == 5 &&
	      !strcmp(back.ret, "detached") && back.ret_domid == 5,
	      "the guest of both goals");
	IS_INT(intent_clear(&in.bdf), 0, "clear it");
	IS_INT(intent_read(&in.bdf, &back), -2, "gone: ENOENT");
	IS_INT(intent_clear(&in.bdf), 0, "clearing twice is fine");
}

static void torn(const char *dir)
{
	struct bdf b = { 0, 7, 0, 0 };
	struct intent back;
	char p[PATH_MAX];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/intent/0000-07-00-0", dir);
	fp = fopen(p, "w");
	fputs("bdf=0000:07:00.0\nrequest=x\n", fp);
	fclose(fp);
	IS_INT(intent_read(&b, &back), -74, "a record without goals: "
	       "EBADMSG");
	intent_clear(&b);
}

int main(void)
{
	char dir[] = "/tmp/xenpci-unit-XXXXXX", cmd[64];

	if (!mkdtemp(dir))
		return 1;
	cfg.state_dir = dir;
	IS_INT(statedir_init(), 0, "state dir set up in %s", dir);
	round_trip();
	torn(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return unit_done();
}
