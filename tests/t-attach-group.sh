#!/usr/bin/env bash
# Attaches queued one behind the other on a guest share one drive
# (request.c's groups, attach.c's pci_attach_group()): one backend
# transaction and one handshake for all their devices, as pciback
# serves num_devs > 1 (issue 10: 64 guests).  Each request still gets
# its own answer: a member whose checks fail fails alone, and when the
# shared drive fails every member is served again on its own.
# Requests written in one transaction are read in one drain of the
# watch, so they are all queued before the first one runs.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
guest 5
make_assignable $A $B $C $D

# queued: the bytes waiting on the agent's sockets, once they have
# stopped growing (xenstored has sent every watch event), at most 10 s.
queued() {
	local prev=-1 cur i
	for i in $(seq 50); do
		cur=$(ss -xp 2>/dev/null | grep "pid=$AGENT_PID," |
			awk '{ n += $3 } END { print n + 0 }')
		[ "$cur" -gt 0 ] && [ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.2
	done
	diag "no watch event seen on the agent's sockets in 10 s"
}
# reqs ID:SPEC...: attaches to guest 5, one xenstore transaction.  The
# agent is stopped meanwhile and goes on once the watch events are on
# its socket: one drain of the watch then reads them all, however
# loaded the machine (a group is what one drain sees; requests that
# arrive across two drains are two drives, and that is no error).
reqs() {
	local args=() x
	for x in "$@"; do
		args+=("$R/requests/${x%%:*}/domid" 5
		       "$R/requests/${x%%:*}/spec" "${x#*:}"
		       "$R/requests/${x%%:*}/op" attach)
	done
	kill -STOP "$AGENT_PID"
	xenstore-write "${args[@]}"
	queued
	kill -CONT "$AGENT_PID"
}
# finals ID...: wait for each final status; "ID=STATUS ..." on one line.
finals() {
	local id out=
	for id in "$@"; do
		out+="$id=$(wait_final "$id" 30) "
	done
	echo "${out% }"
}
log_has() { grep -qF -- "$1" "$AGENT_LOG"; }
# detach_all PREFIX BDF...: one detach after the other, each ok.
detach_all() {
	local p=$1 b n=0
	shift
	for b in "$@"; do
		n=$((n + 1))
		detach_ok "detach $b" "$p$n" 5 "$b"
	done
}

# --- four attaches written at once to a guest without a backend --------------
n0=$(xs_trace | wc -l)
reqs g1:$A g2:$B g3:$C g4:$D
is "four attaches: each its own ok" "$(finals g1 g2 g3 g4)" \
	"g1=ok g2=ok g3=ok g4=ok"
check "the agent ran them in one drive" \
	log_has "domain 5: 4 attach requests (g1 ...) in one reconfiguration"
is "the backend was written once, with four devices" \
	"$(xs_trace | tail -n +$((n0 + 1)) |
	   grep -ac "WRITE (/local/domain/0/backend/pci/5/0/num_devs ")" 1
is "num_devs 4" "$(xs_read "$(be 5)/num_devs")" 4
is "no reconfiguration (state 7) was needed" \
	"$(xs_trace | tail -n +$((n0 + 1)) |
	   grep -ac "WRITE (/local/domain/0/backend/pci/5/0/state 7)")" 0
i=0
for b in $A $B $C $D; do
	i=$((i + 1))
	v=$(rq g$i result/vdev)
	assert_attached "g$i" 5 "$b" "$v" 0
done
is "four different vdevs" \
	"$(for i in 1 2 3 4; do rq g$i result/vdev; echo; done | sort -u | grep -c .)" 4
check "no intent record left" no_intents
detach_all dg $A $B $C $D
assert_no_backend "all detached" 5

# --- a member that is not assignable fails alone -------------------------------
reqs h1:$A h2:$F h3:$C
is "F is not assignable: only its request fails" "$(finals h1 h2 h3)" \
	"h1=ok h2=error h3=ok"
is "h2: EPERM" "$(rq h2 code)" EPERM
error_names "h2" h2 '0b:00\.0'
check "the other two ran in one drive" \
	log_has "domain 5: 3 attach requests (h1 ...) in one reconfiguration"
assert_attached "h1" 5 $A "$(rq h1 result/vdev)" 0
assert_attached "h3" 5 $C "$(rq h3 result/vdev)" 0
detach_all dh $A $C

# --- the shared drive fails: every member is served again alone ----------------
mark
simhost fault xen xc_assign_device EIO 1
reqs k1:$A k2:$C k3:$D
is "one assign fails once: every request ok all the same" \
	"$(finals k1 k2 k3)" "k1=ok k2=ok k3=ok"
simhost fault clear
check "the failed drive was said, and the fallback" \
	log_has "domain 5: the attach of 3 requests together failed"
check "the failing call was made" \
	test "$(hc_count_re "^assign_device dom=5 .* rc=EIO\$")" -ge 1
for x in k1:$A k2:$C k3:$D; do
	assert_attached "${x%%:*}" 5 "${x#*:}" "$(rq "${x%%:*}" result/vdev)" 0
done
check "no intent record left" no_intents
detach_all dk $A $C $D
assert_no_backend "all detached again" 5

# --- a detach between two attaches: they do not pass it --------------------------
attach_ok "m0: $A first" m0 5 $A
args=("$R/requests/m1/domid" 5 "$R/requests/m1/spec" $B
      "$R/requests/m1/op" attach
      "$R/requests/m2/domid" 5 "$R/requests/m2/spec" $A
      "$R/requests/m2/op" detach
      "$R/requests/m3/domid" 5 "$R/requests/m3/spec" $C
      "$R/requests/m3/op" attach)
xenstore-write "${args[@]}"
is "attach, detach, attach: all ok" "$(finals m1 m2 m3)" "m1=ok m2=ok m3=ok"
check "the attaches around the detach were not put together" \
	eval "! log_has '(m1 ...) in one reconfiguration'"
assert_released "m2: $A" $A 5
assert_attached "m1" 5 $B "$(rq m1 result/vdev)" 0
assert_attached "m3" 5 $C "$(rq m3 result/vdev)" 0

agent_done
t_done
