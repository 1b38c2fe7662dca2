/*
 * agent/README.md shows device.c's table; this prints it from the code
 * and fails if the README's copy (between the device-table markers)
 * differs.  Every cell is named: a step, done, a refusal or impossible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../agent/device.h"
#include "unit.h"

static void table(char *buf, size_t len)
{
	size_t l = 0;
	bool batch;

	l += snprintf(buf + l, len - l, "| state / goal |");
	for (int g = 0; g < DG_NGOALS; g++)
		l += snprintf(buf + l, len - l, " %s |", dev_goal_name(g));
	l += snprintf(buf + l, len - l, "\n|---|");
	for (int g = 0; g < DG_NGOALS; g++)
		l += snprintf(buf + l, len - l, "---|");
	l += snprintf(buf + l, len - l, "\n");
	for (int s = 0; s < DS_NSTATES; s++) {
		l += snprintf(buf + l, len - l, "| %s |", dev_state_name(s));
		for (int g = 0; g < DG_NGOALS; g++) {
			const char *n = device_cell_name(s, g, &batch);

			l += snprintf(buf + l, len - l, " %s%s |", n,
				      batch ? " (batch)" : "");
		}
		l += snprintf(buf + l, len - l, "\n");
	}
}

static char *readme_table(const char *path)
{
	static char buf[65536];
	const char *begin = "<!-- device-table -->\n";
	const char *end = "<!-- /device-table -->";
	FILE *fp = fopen(path, "r");
	size_t n;
	char *a, *b;

	if (!fp)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	a = strstr(buf, begin);
	b = a ? strstr(a, end) : NULL;
	if (!b)
		return NULL;
	*b = '\0';
	return a + strlen(begin);
}

int main(int argc, char **argv)
{
	static char want[16384];
	const char *readme = argc > 1 ? argv[1] : "agent/README.md";
	bool batch, named = true;

	table(want, sizeof(want));
	for (int s = 0; s < DS_NSTATES; s++)
		for (int g = 0; g < DG_NGOALS; g++)
			named = named && device_cell_name(s, g, &batch);
	CHECK(named, "every (state, goal) cell of the device table is filled");
	if (getenv("PRINT_TABLE"))
		fputs(want, stdout);
	IS(readme_table(readme), want, "%s shows the device table as the "
	   "code has it (PRINT_TABLE=1 %s prints it)", readme, argv[0]);
	return unit_done();
}
