#!/usr/bin/env bash
# The C unit tests (tests/unit/): each binary prints its own ok/not ok
# lines; one that fails or crashes without saying so is a failure too.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
n=0
for t in "$BUILD"/bin/unit/test-*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	echo "# $(basename "$t")"
	"$t"
	rc=$?
	[ $rc -eq 0 ] || echo "not ok - $(basename "$t") exited with $rc"
done
[ $n -gt 0 ] || echo "not ok - no unit test binaries in $BUILD/bin/unit"
