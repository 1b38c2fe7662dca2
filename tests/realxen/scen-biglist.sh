# Requests written while no agent runs whose IDs take more than 4096
# bytes of R/requests (issue 12): oxenstored lists no such directory on
# libxenstore's handle (no XS_DIRECTORY_PART; xenstore-list fails), and
# the agent started after them must still find and answer every one
# (agent/xs.c, xs_list).  scen-ox.sh runs it last.
N=200
i=0
: > "$XT_TMP/big.args"
while [ $i -lt $N ]; do
	printf '%s/requests/written-while-the-agent-was-down-%04d/op\nassignable-list\n' \
		"$R" $i >> "$XT_TMP/big.args"
	i=$((i + 1))
done
xt_check "write $N requests while no agent runs" sh -c \
	"tr '\n' '\0' < '$XT_TMP/big.args' | xargs -0 xenstore-write"
xt_is "their IDs take more than 4096 bytes" \
	"$(($(sed -n '1p' "$XT_TMP/big.args" | sed 's|.*/requests/||; s|/op$||' |
	wc -c) * N > 4096))" 1
# Two of the differences agent/README.md lists ("Both xenstoreds"),
# seen in this world: the listing, and dom0's largest value (oxenstored's
# quota-maxsize 2048 holds for dom0 too; the agent writes no more).
V2048=$(head -c 2048 /dev/zero | tr '\0' x)
xt_check "dom0 writes a 2048-byte value" xenstore-write /xtest-probe "$V2048"
if [ "$(xt_xenstored)" = oxenstored ]; then
	xt_fails "oxenstored: xenstore-list of R/requests fails" \
		xenstore-list $R/requests
	xt_fails "oxenstored: dom0 cannot write a 2049-byte value" \
		xenstore-write /xtest-probe "${V2048}x"
else
	xt_check "cxenstored: xenstore-list of R/requests" \
		xenstore-list $R/requests
	xt_check "cxenstored: dom0 writes a 2049-byte value" \
		xenstore-write /xtest-probe "${V2048}x"
fi
xenstore-rm /xtest-probe
xt_agent_start || return
xt_answered() {
	[ "$(grep -c 'request written-while-the-agent-was-down-[0-9]* (assignable-list): ok$' \
		"$(xt_agent_log)")" -ge $N ]
}
xt_wait_check "the agent answers all $N" 120 xt_answered
xt_is "new request on the same connection" \
	"$(xt_request big-after assignable-list)" "ok  "
xt_check "agent stops cleanly" xt_agent_stop
xt_is "and says so" "$(xenstore-read $R/state)" stopped
