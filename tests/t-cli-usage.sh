#!/usr/bin/env bash
# xen-pci: bad arguments exit 2 with a message on stderr, nothing on
# stdout, and nothing written to xenstore (xen-pci does not even talk
# to xenstored); --help documents the commands and the exit codes.
. "$(dirname "$0")/lib.sh"

sim_up --no-sysfs --no-peer
R=/local/domain/0/pci-agent
# A serving agent as far as R/state goes: anything that got through the
# argument checks would be written as a request.
xenstore-write $R/state running

# A client that reached xenstored shows as a new connection and its
# requests.  Only those lines count: xenstored writes a client's
# DESTROY line (and the "wrl:" accounting around it) when it gets round
# to the closed socket, which can be after the client exited and after
# the count was taken.
trace_lines() { xs_trace | grep -c -E '^(CREATE connection|IN) '; }

# usage DESC REGEX ARGS...: exit 2, stderr matches REGEX, stdout empty.
usage() {
	local desc=$1 re=$2 out err rc
	shift 2
	out=$(xen-pci "$@" 2>"$SIM/err")
	rc=$?
	err=$(cat "$SIM/err")
	is "$desc: exit 2" "$rc" 2
	like "$desc: says why" "$err" "$re"
	is "$desc: nothing on stdout" "$out" ""
}

before=$(trace_lines)
usage "no command" 'no command given' 
usage "unknown command" "unknown command 'frob'" frob
usage "unknown global option" "unknown option '--frob'" --frob list
usage "-r before the command" "unknown option '-r'" -r assignable-remove 07:00.0
usage "--timeout 0" "--timeout: '0'" --timeout 0 assignable-list
usage "--timeout not a number" "--timeout: 'abc'" --timeout abc assignable-list
usage "--timeout negative" "--timeout: '-1'" --timeout -1 assignable-list
usage "--timeout without a value" "needs an argument" assignable-list --timeout
usage "--agent-domid too large" "--agent-domid: '99999'" --agent-domid 99999 assignable-list
usage "--agent-domid not a number" "--agent-domid: '0x1'" --agent-domid 0x1 assignable-list
usage "assignable-add without SPEC" 'exactly one SPEC, got 0' assignable-add
usage "assignable-add with two SPECs" 'exactly one SPEC, got 2' assignable-add 07:00.0 07:00.1
usage "assignable-add empty SPEC" "SPEC '' is empty" assignable-add ''
usage "assignable-add blank SPEC" "SPEC '   ' is empty" assignable-add '   '
usage "assignable-add SPEC with a newline" 'control characters' assignable-add $'07:00.0\nx'
usage "assignable-add --json still checks" 'is empty' --json assignable-add ''
usage "assignable-list with an argument" 'takes no arguments' assignable-list 07:00.0
usage "assignable-remove unknown flag" "unknown option '-x'" assignable-remove -x 07:00.0
usage "assignable-remove -r without SPEC" 'exactly one SPEC' assignable-remove -r
usage "attach without arguments" 'expected DOMAIN SPEC' attach
usage "attach without SPEC" 'expected DOMAIN SPEC' attach 3
usage "attach DOMID out of range" "'32752' is not a domain id" attach 32752 07:00.0
usage "attach empty second SPEC" "SPEC '' is empty" attach 3 07:00.0 ''
usage "attach with 17 SPECs" 'too many SPECs \(17, at most 16\)' \
	attach 3 $(for i in $(seq 0 16); do echo 0$((i / 8)):0$((i % 8 / 8)).$((i % 8)); done)
usage "assignable-list -f is not its flag" "unknown option '-f'" \
	assignable-list -f
usage "list --force is not its flag" "unknown option '--force'" list --force
usage "detach without SPEC" 'expected DOMAIN SPEC' detach 3
usage "detach with two SPECs" 'expected DOMAIN SPEC' detach 3 07:00.0 07:00.1
usage "detach empty SPEC" 'is empty' detach -f 3 ''
usage "list two DOMIDs" 'at most one DOMAIN' list 1 2
after=$(trace_lines)
is "usage errors never reach xenstored" "$after" "$before"
check "no request directory was created" \
	sh -c "! xenstore-exists $R/requests"

# xenstored traces the end of xenstore-exists' connection a little
# later: wait until the trace is still, so that only xen-pci counts.
settled() {
	local a
	a=$(trace_lines)
	sleep 0.3
	[ "$(trace_lines)" = "$a" ]
}
wait_until 10 settled
after=$(trace_lines)
out=$(xen-pci --help)
is "--help exits 0" $? 0
for cmd in 'assignable-add \[-f\] \[-n NAME\] \[--persistent\] SPEC' \
	'assignable-list \[-n\]' \
	'assignable-remove \[-r\] \[--persistent\] SPEC\|NAME' \
	'attach \[-f\] DOMAIN SPEC\.\.\.' 'detach \[-f\] DOMAIN SPEC' \
	'check SPEC' \
	'list DOMAIN' 'list \[--long\] \[DOMAIN\]' '--agent-domid N' \
	'--timeout S' '--json'; do
	like "--help documents $cmd" "$out" "$cmd"
done
for code in 0 1 2 3 4; do
	like "--help documents exit code $code" "$out" $'\n  '"$code  "
done
out=$(xen-pci detach --help)
is "COMMAND --help exits 0" $? 0
like "and prints the same help" "$out" '^Usage: xen-pci'
is "--help does not reach xenstored" "$(trace_lines)" "$after"

# A domain that is not a number is a name: xl looks it up, so does
# xen-pci (reads only); one that no domain has is still a usage error.
usage "attach to no such domain name" "'x' is not a domain id and no domain is named so" attach x 07:00.0
usage "list no such domain name" "'dom1' is not a domain id and no domain is named so" list dom1
usage "detach bad DOMID" "'-3' is not a domain id and no domain" detach -- -3 07:00.0
usage "detach a domid too large" "'99999' is not a domain id" detach 99999 07:00.0
usage "--persistent on attach" "--persistent is for assignable-add and assignable-remove" attach 1 07:00.0 --persistent
usage "--long on assignable-list" "--long is for list" assignable-list --long

t_done
