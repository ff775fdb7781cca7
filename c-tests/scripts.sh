#!/bin/sh
# The project's scripts run on every system's own shell: each one that starts #!/bin/sh (and
# each sourced one, which has no #! line) parses with dash (the strictest POSIX sh at hand;
# the system's sh where there is no dash) and uses none of bash's syntax; the others find bash
# through env (it is /usr/local/bin/bash or /usr/pkg/bin/bash on the BSDs), none names
# /bin/bash. make check runs the POSIX ones with /bin/sh, which is dash on Debian.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
# shellcheck source=c-tests/check.sh
. c-tests/check.sh
sh=$(command -v dash || echo sh)

posix() {	# FILE: parses with $sh, and no bash-only construct
	"$sh" -n "$1" || return 1
	# arrays, [[ ]], here-strings, process substitution, PIPESTATUS, shopt, ${x//a/b},
	# ${x:1:2}, function NAME, source, $RANDOM, echo -e; &> and |&
	! grep -nE '^[^#]*(\+=\(|^[[:space:]]*[A-Za-z_]+=\(|\[\[ |<<<|<\(|PIPESTATUS|shopt|\$\{[A-Za-z_]+//|\$\{[A-Za-z_]+:([0-9]| -)|^[[:space:]]*function |^[[:space:]]*source |\$RANDOM|echo -e|&>|\|&)' "$1"
}
bashenv() {	# FILE: a bash script names bash through env
	head -n 1 "$1" | grep -qx '#!/usr/bin/env bash'
}
for f in .ci/run c-tests/*.sh c-tests/ports/*.sh tools/*.sh tools/netbsd-vm/*.sh bench/*.sh; do
	case $(head -n 1 "$f") in
	'#!/bin/sh') check "$f: POSIX sh ($sh -n, no bashism)" posix "$f" ;;
	'#!'*bash*) check "$f: bash through env" bashenv "$f" ;;
	'#!'*) check "$f: a shell this check knows" false ;;
	*) check "$f: sourced, POSIX sh ($sh -n, no bashism)" posix "$f" ;;
	esac
done
summary
