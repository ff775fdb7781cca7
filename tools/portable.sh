# Sourced by tools/plan9port.sh and the check scripts (POSIX sh): the one place where the
# systems p9fd builds on (Linux, macOS, FreeBSD, OpenBSD, NetBSD, illumos) differ in the tools
# those scripts use, each with its fallback. NM and AR name the tool flavour (nm and ar by
# default; llvm-nm and llvm-ar are what Xcode ships as nm and ar).
: "${NM:=nm}" "${AR:=ar}"

# digest FILE: FILE's SHA-256 in hex. sha256sum is GNU's; macOS has shasum, FreeBSD, OpenBSD
# and NetBSD sha256; openssl is a last resort. Each reads stdin, so no file name is printed,
# and the one 64-digit word of what it prints is the digest.
digest() {
	if command -v sha256sum >/dev/null 2>&1; then sha256sum <"$1"
	elif command -v shasum >/dev/null 2>&1; then shasum -a 256 <"$1"
	elif command -v sha256 >/dev/null 2>&1; then sha256 <"$1"
	elif command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 <"$1"
	else echo "no sha256sum, shasum, sha256 or openssl" >&2; return 1
	fi | awk '{ for(i = 1; i <= NF; i++) if(length($i) == 64 && $i !~ /[^0-9a-f]/){ print $i; found = 1; exit } }
		END { exit !found }'
}

# texts FILE: "MEMBER NAME" for each text symbol FILE defines globally; MEMBER is the archive
# member defining it (- for an object or a program). Read from nm -P (POSIX's output format,
# which GNU nm, llvm-nm, Apple's nm and the BSDs' nm all have: "name type value ..."); an
# archive member's heading is one word ending in ':': "lib.a[m.o]:" (GNU nm), "lib.a(m.o):"
# (llvm-nm, which is Xcode's nm, on a Mach-O archive), "m.o:" (llvm-nm on an ELF one) or
# "lib.a:m.o:". Mach-O names carry a leading '_', dropped here (no name p9fd or lib9's
# descriptor passing defines starts with one).
texts() {
	"$NM" -P "$1" 2>/dev/null | awk '
		NF == 1 && /:$/ { m = substr($1, 1, length($1) - 1)
			if(m ~ /\[[^]]*\]$/){ sub(/^.*\[/, "", m); sub(/\]$/, "", m) }
			else if(m ~ /\([^)]*\)$/){ sub(/^.*\(/, "", m); sub(/\)$/, "", m) }
			else sub(/^.*:/, "", m)
			next }
		NF >= 2 && $2 == "T" { n = $1; sub(/^_/, "", n); print (m == "" ? "-" : m), n }'
}

# p9fdcode FILE: FILE holds p9fd's code: it defines sendfdmsg (p9fd's object always brings it),
# or, where the linker dropped what nothing calls (ld64's -dead_strip, --gc-sections: p9fd.o
# has a section per function), one of p9fd's own local symbols is there (Rust's mangled names
# of crate p9fd hold "4p9fd"). A stripped program shows neither.
p9fdcode() {
	texts "$1" | grep -q ' sendfdmsg$' || "$NM" "$1" 2>/dev/null | grep -q '4p9fd'
}

# dynamic FILE: an ELF file's dynamic section, as readelf -d prints it (SONAME, NEEDED);
# readelf is binutils' (Linux, NetBSD, OpenBSD) and elftoolchain's (FreeBSD); llvm-readelf
# and elfdump (illumos, FreeBSD) stand in.
dynamic() {
	if command -v readelf >/dev/null 2>&1; then readelf -d "$1"
	elif command -v llvm-readelf >/dev/null 2>&1; then llvm-readelf -d "$1"
	elif command -v elfdump >/dev/null 2>&1; then elfdump -d "$1"
	else echo "no readelf, llvm-readelf or elfdump" >&2; return 1
	fi
}

# killtree PID: end PID and every process below it. setsid(1), which would give a build its
# own process group to kill at once, is Linux's; and job control (set -m) needs a terminal in
# dash and the BSDs' sh. So the tree is read from ps (POSIX's -A and -o): each process is
# stopped, top down, three times over (one forked while its parent was being stopped is caught
# the next time), then sent SIGTERM and SIGCONT; whatever is left after a second, SIGKILL.
descendants() {	# PID: PID and the processes below it, parents first
	ps -A -o pid= -o ppid= | awk -v root="$1" '
		{ parent[$1] = $2; pid[++n] = $1 }
		END { want[root] = 1; print root
			do { more = 0
				for(i = 1; i <= n; i++)
					if(!(pid[i] in want) && (parent[pid[i]] in want)){ want[pid[i]] = 1; print pid[i]; more = 1 }
			} while(more) }'
}
alive() {	# PID: PID runs (a zombie, waiting for a parent to reap it, does not)
	local s
	s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $s in Z* | "") return 1 ;; esac
}
killtree() {
	local p all= i
	for i in 1 2 3; do
		for p in $(descendants "$1"); do
			kill -STOP "$p" 2>/dev/null
			case " $all " in *" $p "*) ;; *) all="$all $p" ;; esac
		done
	done
	for p in $all; do kill -TERM "$p" 2>/dev/null; kill -CONT "$p" 2>/dev/null; done
	i=0
	while [ $i -lt 10 ]; do
		for p in $all; do alive "$p" && break; p=; done
		[ -n "$p" ] || return 0
		sleep 0.1
		i=$((i + 1))
	done
	for p in $all; do kill -KILL "$p" 2>/dev/null; done
	return 0
}
