# Helpers for the test scripts: TAP-like checks, bounded waits and a
# simulated host that always goes down, even when the test is killed
# (simhost's --owner-pid guard).
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
BIN=$BUILD/bin
PATH=$BIN:$PATH
# Under `make asan` the agent is sanitized and libsimxen.so (preloaded
# for the simulated hypervisor) is not; ASan must tolerate that order.
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0:detect_leaks=1}
# Every sanitized process a test starts (the agent, the CLI, the
# simulated host's peers, the test clients) writes its ASan and LSan
# reports to a file in one directory of the test's (log_path:
# asan.PID), which t_exit reads: a report fails the test even from a
# process whose stderr the test captures or throws away.  A nested
# script keeps its parent's.  gcc 12's UBSan prints to stderr whatever
# log_path says, so undefined behaviour stops the process instead
# (halt_on_error): a test sees a process die, and the log it wrote to
# says why.
if [ -z "${SANITIZER_LOGS:-}" ]; then
	SANITIZER_LOGS=$(mktemp -d /tmp/xpa-san.XXXXXX)
	SANITIZER_OWNER=$BASHPID
	export SANITIZER_LOGS
	export ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$SANITIZER_LOGS/asan
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
T_PASS=0
T_FAIL=0

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
diag() { echo "# $*"; }

# check DESC CMD...: passes when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# is DESC GOT EXPECTED
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "  got:      '$2'"
		diag "  expected: '$3'"
	fi
}

# like DESC GOT REGEX
like() {
	if [[ $2 =~ $3 ]]; then
		ok "$1"
	else
		not_ok "$1"
		diag "  got:      '$2'"
		diag "  expected: /$3/"
	fi
}

# wait_until SECONDS CMD...: retries CMD every 20 ms until it succeeds.
# A bound on how long to wait for something, never a timing assertion.
# WAIT_SCALE=N multiplies every bound, for runs that are slow by design
# (valgrind on a loaded machine: t-sim-peer-valgrind).
wait_until() {
	local limit=$(($1 * ${WAIT_SCALE:-1})) i
	shift
	for ((i = 0; i < limit * 50; i++)); do
		"$@" && return 0
		sleep 0.02
	done
	return 1
}

# pid_alive PID: the process exists and is not a zombie (kill -0 would
# still succeed on a zombie until it is reaped).
pid_alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

# What ASan, LSan and UBSan print first in a report.
SANITIZER_RE='ERROR: (Address|Leak|Undefined[A-Za-z]*)Sanitizer|runtime error:'

# sanitizer_check WHAT FILE...: one failed check when any FILE holds a
# sanitizer report (shown), so that a report anywhere fails the test.
sanitizer_check() {
	local what=$1 hits
	shift
	[ $# -gt 0 ] || return 0
	hits=$(grep -l -E "$SANITIZER_RE" "$@" 2>/dev/null)
	[ -n "$hits" ] || return 0
	not_ok "no sanitizer report in $what"
	grep -h -A8 -E "$SANITIZER_RE" $hits | head -40 | sed 's/^/# /'
}

sim_down() {
	local logs
	[ -n "${SIM:-}" ] || return 0
	simhost down --dir "$SIM" || not_ok "simhost down"
	if grep -q " $SIM/" /proc/self/mounts; then
		not_ok "no mount left under $SIM"
	else
		# Every log the host and the agents left (run/*.log: the
		# peers, agent.N.log: the agents), read once all have exited
		# so that LeakSanitizer's reports are in.
		mapfile -t logs < <(find "$SIM" -name '*.log' -type f)
		sanitizer_check "the logs under $SIM" "${logs[@]}"
	fi
	rm -rf "$SIM"
	SIM=
}

# sim_up [simhost up options]: a fresh host in a private directory.
sim_up() {
	SIM=$(mktemp -d /tmp/xpa-sim.XXXXXX)
	if ! simhost up --dir "$SIM" --owner-pid $$ "$@"; then
		not_ok "simhost up $*"
		exit 1
	fi
	# shellcheck disable=SC1091
	. "$SIM/env"
	trap 'sim_down; t_exit' EXIT
}

# xs_trace: xenstored's trace of the requests it got, in cxenstored's
# -T format ("IN CONN DATE TIME OP (ARGS )", "OUT ..." for watch events
# and errors), whichever xenstored runs.  oxenstored's access log says
# the same in its own words (tools/ocaml/xenstored/logging.ml: "[DATE]
# CONN[.TID] OP DATA", NULs as spaces); its lines are rewritten one for
# one, so line numbers still count.
xs_trace() {
	local d=${SIMHOST_DIR:-$SIM}/xenstored
	if [ ! -f "$d/oxenstored.conf" ]; then
		cat "$d/trace"
		return
	fi
	awk '
	BEGIN {
		n = split("t start|t end|w event|w notfired|is introduced|" \
			  "reset watches|directory|read|getperms|watch|" \
			  "unwatch|introduce|release|getdomain|resume|" \
			  "write|mkdir|rm|setperms|settarget|error|" \
			  "newconn|endconn|commit|conflict|coalesce|" \
			  "debug|invalid", ops, "|")
		split("TRANSACTION_START|TRANSACTION_END|WATCH_EVENT|" \
		      "WATCH_NOTFIRED|IS_DOMAIN_INTRODUCED|RESET_WATCHES|" \
		      "DIRECTORY|READ|GET_PERMS|WATCH|UNWATCH|INTRODUCE|" \
		      "RELEASE|GET_DOMAIN_PATH|RESUME|WRITE|MKDIR|RM|" \
		      "SET_PERMS|SET_TARGET|ERROR|CREATE|DESTROY|COMMIT|" \
		      "CONFLICT|COALESCE|DEBUG|INVALID", names, "|")
	}
	/^\[[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T/ {
		date = substr($0, 2, 8); time = substr($0, 11, 8)
		rest = substr($0, index($0, "]") + 3)
		conn = substr(rest, 1, 12); sub(/ +$/, "", conn)
		sub(/\..*/, "", conn)
		rest = substr(rest, 14)
		for (i = 1; i <= n; i++)
			if (substr(rest, 1, length(ops[i])) == ops[i]) {
				data = substr(rest, length(ops[i]) + 1)
				sub(/^ +/, "", data)
				if (names[i] ~ /^(CREATE|DESTROY|COMMIT|CON|COA|WATCH_N)/) {
					printf "%s connection %s\n", names[i], conn
					next
				}
				dir = names[i] ~ /^(WATCH_EVENT|ERROR)$/ ? \
					"OUT" : "IN"
				printf "%s %s %s %s %s (%s)\n", dir, conn, \
					date, time, names[i], data
				next
			}
	}
	{ print }' "$d/trace"
}
export -f xs_trace

# xs_* wrappers talk to the host's xenstored as dom0.
xs_read() { xenstore-read "$@" 2>/dev/null; }
xs_exists() { xenstore-exists "$@" 2>/dev/null; }
# xs_is PATH VALUE: the node reads VALUE (for wait_until)
xs_is() { [ "$(xs_read "$1")" = "$2" ]; }

# A guest's PCI backend and frontend in xenstore (libxl's device 0) and
# the bus its pcifront sees (tests/attach-lib.sh, tests/sim/peer/).
be() { echo "/local/domain/0/backend/pci/$1/0"; }
fe() { echo "/local/domain/$1/device/pci/0"; }
be_error_path() { echo "/local/domain/0/error/backend/pci/$1/0/error"; }
be_state() { xs_is "$(be "$1")/state" "$2"; }
fe_state() { xs_is "$(fe "$1")/state" "$2"; }

# be_index DOMID BDF: the i with dev-i = BDF in the guest's backend.
be_index() {
	local b n i
	b=$(be "$1")
	n=$(xs_read "$b/num_devs") || return 1
	for ((i = 0; i < n; i++)); do
		[ "$(xs_read "$b/dev-$i")" = "$2" ] && { echo $i; return 0; }
	done
	return 1
}

# view DOMID: the guest's PCI bus as its simulated pcifront sees it
# (one "VDEV <- BDF" line a device).
view_file() { echo "$SIMXEN_DIR/guests/$1/pci"; }
view() { cat "$(view_file "$1")" 2>/dev/null; }
view_is() { [ "$(view "$1")" = "$2" ]; }

t_exit() {
	local reports
	if [ "${SANITIZER_OWNER:-}" = "$BASHPID" ]; then
		mapfile -t reports < <(find "$SANITIZER_LOGS" -type f -size +0)
		sanitizer_check "any process the test ran (log_path)" \
			"${reports[@]}"
		if [ ${#reports[@]} -gt 0 ] &&
		   ! grep -q -E "$SANITIZER_RE" "${reports[@]}"; then
			not_ok "no sanitizer report file left"
			head -n 20 "${reports[@]}" | sed 's/^/# /'
		fi
		rm -rf "$SANITIZER_LOGS"
	fi
	echo "# $T_PASS passed, $T_FAIL failed"
	[ $T_FAIL -eq 0 ] || exit 1
}

t_done() {
	trap - EXIT
	sim_down
	t_exit
	exit 0
}
