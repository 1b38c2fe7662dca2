#!/usr/bin/env bash
# kill -9 at random points under a stream of mixed requests (issue 12,
# "Faults at every step"), some of them while a guest's pcifront hangs
# in the middle of a handshake.  After each restart every request of
# the round has a final status, and each device is where a model says
# it must be: the model starts from what the devices were and applies,
# in each device's order, the requests that ended ok (an error changes
# nothing).  An ok that the model says was impossible is a failure too.
#
# Seeded: KILL9_SEED=N replays a run (the seed is printed first);
# KILL9_ROUNDS sets the number of rounds (default 12).
. "$(dirname "$0")/attach-lib.sh"

SEED=${KILL9_SEED:-$(( $(date +%s) % 100000 ))}
ROUNDS=${KILL9_ROUNDS:-12}
diag "seed $SEED (KILL9_SEED=$SEED replays this run), $ROUNDS rounds"
RANDOM=$SEED

host_up --inventory "$ATTACH_INV"
agent_up
guest 5
guest 6
DEVS=($A $B $C $D)
declare -A MODEL	# BDF -> host | assignable | dom:N
declare -A ORIG		# BDF -> its driver at boot
for x in "${DEVS[@]}"; do MODEL[$x]=host ORIG[$x]=$(drv "$x"); done

# state_of BDF: where the device is, in the model's words.
state_of() {
	local st
	st=$(dev_state "$1")
	case $st in
	absent) [ "$(drv "$1")" = "${ORIG[$1]}" ] && ! on_pciback "$1" && echo host ||
		echo "lost(driver $(drv "$1"))" ;;
	assignable) on_pciback "$1" && owner_released "$1" && echo assignable ||
		echo "half-assignable" ;;
	attached)
		local d
		d=$(dev_field "$1" domid)
		if on_pciback "$1" && [ "$(owner "$1")" = "$d" ] &&
		   be_index "$d" "$1" >/dev/null && view "$d" | grep -q " <- $1\$"; then
			echo "dom:$d"
		else
			echo "half-attached:$d"
		fi ;;
	*) echo "R/devices:$st" ;;
	esac
}

# pick BDF OPTIMISTIC: a request for BDF in PICK, mostly one that can
# work from where the device would be if every earlier one worked.
# (Never in a $(...): a subshell's $RANDOM would not be the seed's.)
pick() {
	PICK=$(_pick "$@")
}
_pick() {
	local x=$1 s=$2 d=$3 r1=$4 r2=$5 r3=$6
	if [ $((r1 % 5)) = 0 ]; then
		case $((r2 % 4)) in
		0) echo "assignable-add spec=$x" ;;
		1) echo "assignable-remove spec=$x rebind=1" ;;
		2) echo "attach domid=$d spec=$x timeout=5" ;;
		3) echo "detach domid=$d spec=$x timeout=5" ;;
		esac
		return
	fi
	case $s in
	host) echo "assignable-add spec=$x" ;;
	assignable)
		if [ $((r3 % 3)) = 0 ]; then
			echo "assignable-remove spec=$x rebind=1"
		else
			echo "attach domid=$d spec=$x timeout=5"
		fi ;;
	dom:*) echo "detach domid=${s#dom:} spec=$x timeout=5" ;;
	*) echo "assignable-add spec=$x" ;;
	esac
}

# apply STATE OP FIELDS...: the model's next state after an ok, or
# "impossible".
apply() {
	local s=$1 op=$2 d=
	shift 2
	for kv in "$@"; do [[ $kv == domid=* ]] && d=${kv#domid=}; done
	case $op:$s in
	assignable-add:host | assignable-add:assignable) echo assignable ;;
	assignable-remove:assignable) echo host ;;
	attach:assignable) echo "dom:$d" ;;
	detach:dom:"$d") echo assignable ;;
	*) echo impossible ;;
	esac
}

# show_dev BDF: the round's requests for BDF and how they ended.
show_dev() {
	local j
	for ((j = 0; j < ${#ids[@]}; j++)); do
		[ "${devs[j]}" = "$1" ] && diag "  ${ids[j]}: ${lines[j]} -> $(rq "${ids[j]}" status) $(rq "${ids[j]}" error)"
	done
}

for ((round = 1; round <= ROUNDS; round++)); do
	declare -A OPT=()
	for x in "${DEVS[@]}"; do OPT[$x]=${MODEL[$x]}; done
	ids=() devs=() lines=()
	n=$((3 + RANDOM % 5))
	hung=
	if [ $((RANDOM % 3)) = 0 ]; then
		hung=$((5 + RANDOM % 2))
		simhost domain set $hung pcifront=hung
	fi
	for ((i = 0; i < n; i++)); do
		x=${DEVS[RANDOM % ${#DEVS[@]}]}
		pick "$x" "${OPT[$x]}" $((5 + RANDOM % 2)) $RANDOM $RANDOM $RANDOM
		l=$PICK
		read -ra f <<<"$l"
		nx=$(apply "${OPT[$x]}" "${f[@]}")
		[ "$nx" != impossible ] && OPT[$x]=$nx
		id=k${round}q$i
		req "$id" "${f[0]}" "${f[@]:1}"
		ids+=("$id") devs+=("$x") lines+=("$l")
	done
	delay=$((RANDOM % 1500))
	diag "round $round: ${#ids[@]} requests${hung:+, the pcifront of dom $hung hangs}, kill -9 after $delay ms"
	sleep "$(printf '0.%03d' "$delay")"
	[ "$delay" -ge 1000 ] && sleep 1
	agent_kill9
	[ -n "$hung" ] && simhost domain set "$hung" pcifront=1
	agent_up
	# Every request of the round gets a final status; the model takes
	# the ok ones, in order.
	for ((i = 0; i < ${#ids[@]}; i++)); do
		st=$(wait_final "${ids[i]}" 40)
		x=${devs[i]}
		read -ra f <<<"${lines[i]}"
		case $st in
		ok)
			nx=$(apply "${MODEL[$x]}" "${f[@]}")
			if [ "$nx" = impossible ]; then
				not_ok "round $round: ${ids[i]} (${lines[i]}) ok from ${MODEL[$x]}: impossible"
				show_dev "$x"
			else
				MODEL[$x]=$nx
			fi ;;
		error) ;;
		*) not_ok "round $round: ${ids[i]} (${lines[i]}) has a final status (got '$st')" ;;
		esac
	done
	for x in "${DEVS[@]}"; do
		if wait_until 20 eval "[ \"\$(state_of $x)\" = \"${MODEL[$x]}\" ]"; then
			ok "round $round: $x is ${MODEL[$x]} as the model says"
		else
			not_ok "round $round: $x is ${MODEL[$x]} as the model says (it is $(state_of "$x"))"
			show_dev "$x"
			MODEL[$x]=$(state_of "$x")
		fi
	done
	check "round $round: no intent record left" no_intents
	for id in "${ids[@]}"; do xenstore-rm "$R/requests/$id"; done
done
agent_done
t_done
