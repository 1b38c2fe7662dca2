#!/usr/bin/env bash
# The QMP peer's socket and life, as qemu-xen's under libxl: the socket
# at $XEN_RUN_DIR/qmp-libxl-<domid> (libxl__qmp_path), one client at a
# time (char-socket's listener: a second client's connect() completes,
# its greeting comes when the first has gone), a QEMU that dies (the
# client sees EOF, the socket file stays and refuses connections), the
# peer dying with its domain and with the host (libxl__qmp_cleanup
# removes the socket), and the transcript of every message.
. "$(dirname "$0")/sim/qmp/qmp-lib.sh"

sim_up
like "env: XEN_RUN_DIR under the host" "$XEN_RUN_DIR" "^$SIM/var-run-xen\$"
check "XEN_RUN_DIR exists" test -d "$XEN_RUN_DIR"
hvm 7
S=$(sock 7)
is "simhost qmp DOMID socket" "$(simhost qmp 7 socket)" "$S"
check "the socket is there" test -S "$S"
PID=$(cat "$SIM/run/qmp-7.pid")
is "image/device-model-pid" "$(xs_read /local/domain/7/image/device-model-pid)" "$PID"
is "the peer wrote its device-model state" \
	"$(xs_read /local/domain/0/device-model/7/state)" running

# Kinds without a QMP peer.
simhost domain create 3
simhost domain create 4 --pvh
simhost domain create 5 --dm qemu-trad
simhost domain create 10 --stubdom --dm qemu-xen >/dev/null
for d in 3 4 5 10; do
	check "no QMP socket for domain $d" test ! -e "$(sock "$d")"
done
check "simhost qmp on a guest without one says so" \
	sh -c "simhost qmp 3 status 2>&1 | grep -q 'is the guest HVM with qemu-xen'"

# One client at a time.
qmpc -t 60 "$S" "$CAPS" "hold:$SIM/a-done" >"$SIM/a.out" &
A=$!
wait_until 30 grep -q '"return"' "$SIM/a.out"
qmpc -t 60 -c "$SIM/b-connected" "$S" '{"execute": "query-status", "id": "b"}' \
	>"$SIM/b.out" &
B=$!
check "a second client's connect() completes" wait_until 30 test -e "$SIM/b-connected"
sleep 0.3
is "... but it gets no greeting while the first is connected" \
	"$(cat "$SIM/b.out")" ""
touch "$SIM/a-done"
wait $A
check "once the first has gone, the second is served" wait_until 30 \
	grep -q '"QMP"' "$SIM/b.out"
wait $B
like "... from negotiation mode" "$(tail -n 1 "$SIM/b.out")" \
	'"CommandNotFound", "desc": "Expecting capabilities negotiation'

# The transcript: every message, one JSON line each, in order.
T=$SIM/run/qmp-7.transcript
check "transcript: each line is JSON with conn and dir" python3 -c '
import json, sys
for l in open(sys.argv[1]):
    m = json.loads(l)
    assert m["dir"] in ("open", "close", "in", "out"), m
    assert isinstance(m["conn"], int), m
    assert ("msg" in m or "raw" in m) == (m["dir"] in ("in", "out")), m
' "$T"
is "transcript: connection 2 (the second client) as it went" \
	"$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    m = json.loads(l)
    if m["conn"] == 2:
        print(m["dir"], json.dumps(m.get("msg"), sort_keys=True)[:60])
' "$T")" \
	'open null
out {"QMP": {"capabilities": ["oob"], "version": {"package": "De
in {"execute": "query-status", "id": "b"}
out {"error": {"class": "CommandNotFound", "desc": "Expecting ca
close null'
is "simhost qmp transcript prints it" "$(simhost qmp 7 transcript)" "$(cat "$T")"

# A QEMU that dies: the client sees the socket close; the file stays.
qmpc -t 60 "$S" "$CAPS" "touch:$SIM/c-in" eof >"$SIM/c.out" &
C=$!
wait_until 30 test -e "$SIM/c-in"
check "simhost qmp die" simhost qmp 7 die
wait $C
is "the connected client saw EOF" "$(tail -n 1 "$SIM/c.out")" EOF
check "the process is gone" sh -c "! pid_alive $PID"
check "the socket file stays (nobody unlinked it)" test -S "$S"
check "connect() is refused" sh -c "! qmpc -t 5 $S 2>/dev/null"
check "qmpc says why" sh -c "qmpc -t 5 $S 2>&1 | grep -q 'Connection refused'"
check "destroy of a guest whose QEMU died" simhost domain destroy 7
check "... removes the stale socket" test ! -e "$S"

# The peer dies with its domain, and with the host.
hvm 8
P8=$(cat "$SIM/run/qmp-8.pid")
check "destroy stops the peer" simhost domain destroy 8
check "... the process is gone" sh -c "! pid_alive $P8"
check "... its socket is gone" test ! -e "$(sock 8)"
check "... its control socket too" test ! -e "$SIM/run/qmp-8.ctl"
check "... and its device-model xenstore" \
	sh -c "! xenstore-exists /local/domain/0/device-model/8 2>/dev/null"
hvm 9
P9=$(cat "$SIM/run/qmp-9.pid")
DOUT=$(mktemp /tmp/xpa-qmp-d.XXXXXX)
qmpc -t 60 "$(sock 9)" "$CAPS" "touch:$SIM/d-in" eof >"$DOUT" &
D=$!
wait_until 30 test -e "$SIM/d-in"
SIMDIR=$SIM
qmp_valgrind_check
trap - EXIT
sim_down
wait $D
is "host down: a connected client sees EOF" "$(tail -n 1 "$DOUT")" EOF
rm -f "$DOUT"
check "host down: the peer is gone" sh -c "! pid_alive $P9"
check "host down: nothing left under the host directory" test ! -e "$SIMDIR"
t_exit
