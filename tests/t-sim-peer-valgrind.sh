#!/usr/bin/env bash
# simpeer under valgrind: the hot-plug, teardown and guest scenarios
# again, with no memory error and no definite or indirect leak at exit
# (peer-lib.sh: PEER_VALGRIND=1 makes simpeer's exit status 99 then).
here=$(dirname "$0")
. "$here/sim/peer/peer-lib.sh"

if ! command -v valgrind >/dev/null; then
	ok "# SKIP valgrind is not installed"
	t_exit
	exit 0
fi
if ldd "$BIN/simpeer" | grep -q libasan; then
	ok "# SKIP simpeer is built with ASan (make asan checks it)"
	t_exit
	exit 0
fi
export PEER_VALGRIND=1
# Under valgrind simpeer runs 10 to 50 times slower, and the machine is
# shared: every bounded wait of the scenarios gets 6 times longer (they
# wait for events, so an unloaded run takes no longer).
export WAIT_SCALE=${WAIT_SCALE:-6}
rc=0
for t in t-sim-peer-hotplug t-sim-peer-teardown t-sim-peer-guests t-sim-peer-fatal; do
	diag "$t under valgrind"
	bash "$here/$t.sh" || rc=1
done
exit $rc
