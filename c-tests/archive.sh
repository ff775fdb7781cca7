# Sourced by c-tests/hygiene.sh (make check) and c-tests/ports.sh (make check-ports, for each
# system's build): what libp9fd.a must be everywhere. Needs tools/portable.sh (NM, AR).

# one_object DIR: DIR/libp9fd.a has one member, p9fd.o, and it defines p9fd's code
one_object() {
	local m
	m=$("$AR" t "$1/libp9fd.a" | grep -v '^__\.SYMDEF' | tr '\n' ' ')
	[ "$m" = "p9fd.o " ] || { echo "members: $m"; return 1; }
	texts "$1/libp9fd.a" | grep -q ' sendfd$' || { echo "p9fd.o defines no sendfd"; return 1; }
}

# static_globals DIR WANT...: DIR/libp9fd.a's global definitions (of any kind) are exactly WANT
# (Mach-O's leading '_' dropped)
static_globals() {
	local lib=$1/libp9fd.a
	shift
	printf '%s\n' "$@" | sort >"$lib.want"
	"$NM" -P -g "$lib" | awk 'NF >= 3 && $2 !~ /^[Uwv]$/ { n = $1; sub(/^_/, "", n); print n }' |
		sort | diff -u "$lib.want" -
	local r=$?
	rm -f "$lib.want"
	return $r
}
