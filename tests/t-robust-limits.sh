#!/usr/bin/env bash
# What one requester can make the agent spend, bounded and documented
# (PROTOCOL.md 3.5; issue 12, points 5, 6 and 7): a request's field
# count, the requests not yet answered, the answered ones left in
# place; and no value logged can forge a log line.  Counts, never time.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up
agent_start || exit 1

# --- 7: a value holding a newline does not forge a log line
forged="12:00:00.000 xen-pci-agent[1]: info: request z9 (assignable-add): ok"
run_err "a spec with a newline" EINVAL g1 assignable-add \
	"spec=07:00.0"$'\n'"$forged"
check "no log line starts with the forged text" \
	bash -c "! grep -q '^12:00:00.000 xen-pci-agent\[1\]' '$AGENT_LOG'"
check "the newline is logged as \\n" \
	grep -qF '07:00.0\n12:00:00.000 xen-pci-agent[1]' "$AGENT_LOG"
run_err "a timeout holding an escape sequence" EINVAL g2 assignable-list \
	"timeout="$'\x1b'"[2J"
check "no raw ESC in the log" bash -c "! grep -q $'\x1b' '$AGENT_LOG'"
check "it is logged as \\x1b" grep -qF '\x1b[2J' "$AGENT_LOG"

# --- 5: a bound on the fields of a request, without reading them
fields() { # ID N: N unknown fields, then op
	local args=() i
	for ((i = 0; i < $2; i++)); do args+=("$R/requests/$1/x$i" v); done
	args+=("$R/requests/$1/op" assignable-list)
	xenstore-write "${args[@]}"
}
fields f0 62
is "64 fields (62 + op + status) are fine" "$(wait_final f0)" ok
fields f1 64
is "65 fields: refused" "$(wait_final f1)" error
is "f1: code EINVAL" "$(xs_read $R/requests/f1/code)" EINVAL
like "f1: the message gives the limit" "$(xs_read $R/requests/f1/error)" \
	'too many fields \(65\): a request has at most 64'
n0=$(xs_trace | wc -l)
fields f2 600
is "600 fields: refused" "$(wait_final f2 60)" error
is "none of its 600 values was read" \
	"$(xs_trace | tail -n +$((n0 + 1)) | grep -ac "^IN .* READ ($R/requests/f2/x")" 0
run_ok "a plain request after it" f3 assignable-list

# --- 6: at most 256 outstanding requests; the rest EAGAIN
fault bus/pci/drivers/igb/unbind OK delay_ms=4000
req q0 assignable-add spec=07:00.0
wait_until 10 xs_is "$R/requests/q0/status" running
args=()
for ((i = 1; i <= 300; i++)); do
	args+=("$R/requests/q$i/spec" 07:00.0 "$R/requests/q$i/op" \
	       assignable-add)
done
xenstore-write "${args[@]}"
final_all() {
	local i
	for ((i = 0; i <= 300; i++)); do is_final q$i || return 1; done
}
check "all 301 get a final status" wait_until 120 final_all
codes=$(for ((i = 0; i <= 300; i++)); do
	xs_read $R/requests/q$i/code || echo ok; done | sort | uniq -c |
	awk '{print $2 "=" $1}' | tr '\n' ' ')
is "the running one and 255 queued are served, 45 get EAGAIN" \
	"$codes" "EAGAIN=45 ok=256 "
like "EAGAIN says why" "$(xs_read $R/requests/q300/error)" \
	'too many requests outstanding \(256\): retry once some have finished'
fault_clear
run_ok "and new requests are served" q301 assignable-list

# --- 6: answered requests left in place take at most 2048 bytes of IDs
# (each ID and its NUL), so that R/requests stays listable on oxenstored
# (4096 bytes at most, no XS_DIRECTORY_PART).  1100 more answered.
for ((b = 0; b < 11; b++)); do
	args=()
	for ((i = b * 100; i < b * 100 + 100; i++)); do
		args+=("$R/requests/r$i/op" assignable-list)
	done
	xenstore-write "${args[@]}"
	wait_final r$((b * 100 + 99)) 60 >/dev/null
done
# The IDs' bytes, if R/requests can be listed (on oxenstored it cannot
# while it holds more than 4096 bytes: within the 5 s grace).
id_bytes() {
	local l
	l=$(xenstore-list "$R/requests") || return 1
	awk '{n += length($0) + 1} END {print n + 0}' <<<"$l"
}
ids_trimmed() { local b; b=$(id_bytes) && [ "$b" -le 2048 ]; }
check "R/requests is listed whole, its IDs at most 2048 bytes" \
	wait_until 60 ids_trimmed
like "and close to it: the newest are kept" "$(id_bytes)" '^(20[0-4][0-9])$'
check "the oldest went first" bash -c "! xenstore-exists $R/requests/q0 &&
	! xenstore-exists $R/requests/r500"
is "the newest stays" "$(xs_read $R/requests/r1099/status)" ok
agent_done
t_done
