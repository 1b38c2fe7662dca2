#!/usr/bin/env bash
# simqmp under valgrind: the protocol, device and unplug scenarios
# again, every peer with no memory error and no definite or indirect
# leak when it exits (qmp-lib.sh: SIMQMP_VALGRIND=1 makes simhost start
# the peers under valgrind, qmp_done checks each peer's log).
here=$(dirname "$0")
. "$here/sim/qmp/qmp-lib.sh"

if ! command -v valgrind >/dev/null; then
	ok "# SKIP valgrind is not installed"
	t_exit
	exit 0
fi
if ldd "$BIN/simqmp" | grep -q libasan; then
	ok "# SKIP simqmp is built with ASan (make asan checks it)"
	t_exit
	exit 0
fi
export SIMQMP_VALGRIND=1
rc=0
for t in t-sim-qmp-protocol t-sim-qmp-devices t-sim-qmp-unplug; do
	diag "$t under valgrind"
	bash "$here/$t.sh" || rc=1
done
exit $rc
