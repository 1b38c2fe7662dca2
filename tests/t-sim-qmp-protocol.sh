#!/usr/bin/env bash
# simqmp's monitor, as QEMU 7.2's monitor/qmp.c and qapi/qmp-dispatch.c
# answer: the greeting (qmp_greeting), "\r\n" after each message
# (monitor_puts), every command but qmp_capabilities refused until
# negotiation (monitor_qmp_dispatch's desc), the request's id echoed
# whatever its type, unknown commands, malformed requests
# (qmp_dispatch), values split across writes or sharing one
# (json-streamer), a new client starting over (monitor_qmp_event).
. "$(dirname "$0")/sim/qmp/qmp-lib.sh"

sim_up
hvm 7
S=$(sock 7)

GREETING='{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}'
is "greeting as qemu 7.2.22 sends it" "$(qmpc "$S")" "$GREETING"
check "every line ends in \\r\\n (qmpc exits 3 otherwise)" \
	qmpc "$S" '{"execute": "query-pci"}' "$CAPS"

NEG='{"error": {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with '"'"'qmp_capabilities'"'"'"}'
is "before negotiation: query-pci refused" \
	"$(qmpc "$S" '{"execute": "query-pci", "id": 5}' | tail -n 1)" \
	"$NEG, \"id\": 5}"
is "before negotiation: an unknown command gets the same answer" \
	"$(qmpc "$S" '{"execute": "no-such"}' | tail -n 1)" "$NEG}"
is "before negotiation: device_add refused" \
	"$(qmpc "$S" "$(dev_add_json pci-pt-07_00.0 0000:07:00.0)" | tail -n 1)" \
	"$NEG, \"id\": 1}"
is "... and nothing was added" "$(qstatus 7 | grep -c pci-pt)" 0

is "qmp_capabilities: empty return, id echoed" \
	"$(qmpc "$S" '{"execute": "qmp_capabilities", "id": "libxl-1"}' | tail -n 1)" \
	'{"return": {}, "id": "libxl-1"}'
is "qmp_capabilities twice" \
	"$(last_line 7 '{"execute": "qmp_capabilities", "id": 2}')" \
	'{"error": {"class": "CommandNotFound", "desc": "Capabilities negotiation is already complete, command ignored"}, "id": 2}'
is "qmp_capabilities enable oob" \
	"$(qmpc "$S" '{"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}}' | tail -n 1)" \
	'{"return": {}}'
is "qmp_capabilities enable an unknown capability" \
	"$(qmpc "$S" '{"execute": "qmp_capabilities", "arguments": {"enable": ["nope"]}}' | tail -n 1)" \
	"{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'enable' does not accept value 'nope'\"}}"

is "unknown command after negotiation" \
	"$(last_line 7 '{"execute": "frobnicate", "id": 3}')" \
	'{"error": {"class": "CommandNotFound", "desc": "The command frobnicate has not been found"}, "id": 3}'
is "an object id is echoed as it came" \
	"$(last_line 7 '{"execute": "query-status", "id": {"a": [1, "x"]}}')" \
	'{"return": {"status": "running", "singlestep": false, "running": true}, "id": {"a": [1, "x"]}}'
is "query-version" "$(last_line 7 '{"execute": "query-version"}')" \
	'{"return": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}}'
is "query-pci takes no argument" \
	"$(last_line 7 '{"execute": "query-pci", "arguments": {"bus": 0}}')" \
	"{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'bus' is unexpected\"}}"

# qmp_dispatch(): the request itself
is "input must be an object" "$(last_line 7 '[1, 2]')" \
	'{"error": {"class": "GenericError", "desc": "QMP input must be a JSON object"}}'
is "execute missing" "$(last_line 7 '{"id": 9}')" \
	"{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input lacks member 'execute'\"}, \"id\": 9}"
is "execute not a string" "$(last_line 7 '{"execute": 1}')" \
	"{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'execute' must be a string\"}}"
is "arguments not an object" \
	"$(last_line 7 '{"execute": "query-pci", "arguments": 1}')" \
	"{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'arguments' must be an object\"}}"
is "an unexpected member" "$(last_line 7 '{"execute": "query-pci", "foo": 1}')" \
	"{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'foo' is unexpected\"}}"
like "not JSON: a GenericError, and the monitor goes on" \
	"$(q 7 '{"execute": nonsense}' '{"execute": "query-status"}' | tr -d '\n')" \
	'\{"return": \{\}\}\{"error": \{"class": "GenericError", "desc": "JSON parse error, .*"\}\}\{"return": \{"status": "running"'

# json-streamer: values split over writes, or two in one write
out=$(qmpc "$S" 'raw:{"execute": "qmp_capa' 'raw:bilities", "id"' ': 1}' \
	"raw:{\"execute\": \"query-status\", \"id\": 2}{\"execute\": \"query-version\", \"id\": 3}" \
	'{"execute": "query-status", "id": 4}')
like "a value split over three writes is one command" "$out" \
	'\{"return": \{\}, "id": 1\}'
like "two values in one write: two answers" "$out" \
	'"id": 2\}.*"id": 3\}.*"id": 4\}'

# a new client starts in negotiation mode again
q 7 '{"execute": "query-status"}' >/dev/null
is "the next client negotiates again" \
	"$(qmpc "$S" '{"execute": "query-status"}' | tail -n 1)" "$NEG}"
is "exec-oob of a command without OOB support" \
	"$(qmpc "$S" '{"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}}' '{"exec-oob": "query-pci", "id": 1}' | tail -n 1)" \
	'{"error": {"class": "GenericError", "desc": "The command query-pci does not support OOB"}, "id": 1}'
qmp_done 7
