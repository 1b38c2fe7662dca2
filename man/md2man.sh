#!/bin/sh
# md2man.sh NAME SECTION VERSION <FILE.md >FILE.SECTION: the subset of
# Markdown that protocol/PROTOCOL.md uses, as a man page, so that the
# spec and xen-pci-protocol(7) are one text.  Headings become .SH/.SS,
# fenced code and tables are shown verbatim, paragraphs are filled;
# backslashes and leading dots or quotes are escaped for roff.
set -eu
name=$1 sec=$2 ver=$3
awk -v name="$name" -v sec="$sec" -v ver="$ver" '
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/`/, "", s)
	gsub(/\*\*/, "", s)
	# [text](link) -> text
	while (match(s, /\[[^]]*\]\([^)]*\)/)) {
		t = substr(s, RSTART + 1, RLENGTH)
		sub(/\]\(.*/, "", t)
		s = substr(s, 1, RSTART - 1) t substr(s, RSTART + RLENGTH)
	}
	if (s ~ /^[.\047]/)
		s = "\\&" s
	return s
}
function longword(s,   w, n, i) {
	n = split(s, w, / +/)
	for (i = 1; i <= n; i++)
		if (length(w[i]) >= 60)
			return 1
	return 0
}
function verb(s) {
	gsub(/\\/, "\\e", s)
	if (s ~ /^[.\047]/)
		s = "\\&" s
	return s
}
BEGIN {
	printf ".TH %s %s \"\" \"xen-pci-agent %s\" \"xen-pci-agent\"\n", toupper(name), sec, ver
	# Left-adjusted: paths and JSON make justified lines too sparse.
	print ".ad l"
	print ".SH NAME"
	printf "%s \\- the xenstore protocol of xen-pci-agent, version 1\n", name
	fence = 0; table = 0; first = 1
}
/^```/ {
	if (fence) { print ".fi"; print ".RE"; fence = 0 }
	else { print ".PP"; print ".RS 4"; print ".nf"; fence = 1 }
	next
}
fence { print verb($0); next }
# A table row: its first cell as the tag, the others after it.
/^\|/ {
	if ($0 ~ /^\|[-| :]*\|$/) next
	row = $0
	sub(/^\| */, "", row); sub(/ *\|$/, "", row)
	n = split(row, cell, / *\| */)
	print ".TP"
	print esc(cell[1])
	rest = esc(cell[2])
	for (i = 3; i <= n; i++) rest = rest " \\(em " esc(cell[i])
	print rest
	table = 1
	next
}
table { print ".PP"; table = 0 }
/^[0-9]+\. / { print ".IP \"\" 2"; print esc($0); next }
/^# / { if (first) { first = 0; print ".SH DESCRIPTION"; next } }
/^## / { sub(/^## /, ""); printf ".SH \"%s\"\n", toupper(esc($0)); next }
/^###+ / { sub(/^###+ /, ""); printf ".SS \"%s\"\n", esc($0); next }
/^[ \t]*$/ { print ".PP"; next }
/^[ \t]*[-*] / { sub(/^[ \t]*[-*] /, ""); print ".IP \\(bu 2"; print esc($0); next }
/^    / { print ".nf"; print verb($0); print ".fi"; next }
# A word too long for a line may break after its commas (\:).
longword($0) { sub(/^[ \t]+/, ""); l = esc($0); gsub(/,/, ",\\:", l); print l; next }
{ sub(/^[ \t]+/, ""); print esc($0) }
END {
	if (fence) print ".fi"
	print ".SH SEE ALSO"
	print ".BR xen-pci-agent (8),"
	print ".BR xen-pci (1),"
	print ".BR xen-pci-agent.cfg (5),"
	print ".BR xl-pci-configuration (5)"
}
'
