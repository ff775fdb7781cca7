#!/bin/sh
# make bench: p9fd against the naive C baseline (bench/baseline.c), in one run.
#   1-3. time: per pass, across processes, batching (bench/bench.c, interleaved, medians)
#   4.   user-space instructions per pass: callgrind, (count at 2N - count at N) / N
#   5.   heap allocations per pass: memcheck's heap summary at N and 2N passes
#   6.   footprint: what a C program linking libp9fd.a gains, and the libraries' sizes (footprint.sh)
# Steps 4 and 5 also drive the Rust API (bench/rustapi.rs, the crate with std, release profile),
# so that the C ABI's figures and the Rust API's stand side by side.
# POSIX sh. 4 and 5 need valgrind (Linux's, mostly): where it is missing they are skipped, and
# say so.
cd "$(dirname "$0")/.."
BUILD=${BUILD:-target/release}
CC=${CC:-cc}
CARGO=${CARGO:-cargo}
out=target/benchmarks
mkdir -p $out
# shellcheck disable=SC2046
$CC -std=c99 -O2 -Wall -Wextra -Werror -Iinclude -Ibench -o $out/bench bench/bench.c bench/baseline.c bench/basebatch.c \
	"$BUILD/libp9fd.a" $(cat "$BUILD/native-static-libs")
$CARGO bench --locked --no-run --bench rustapi >$out/rustapi.log 2>&1 || { cat $out/rustapi.log; exit 1; }
rustapi=$(sed -n 's/.*Executable .*(\(.*\))$/\1/p' $out/rustapi.log)
test -x "$rustapi" || { cat $out/rustapi.log; echo "bench: no rustapi executable"; exit 1; }

$out/bench time | tee $out/time.md

if ! command -v valgrind >/dev/null 2>&1; then
	echo "skip: instructions and allocations per pass (4, 5): no valgrind on this system"
	exec bench/footprint.sh
fi

N=1000
prog() {	# the program that runs `count $1`: the C harness, or the Rust one for rust*
	case $1 in
	rust*) echo "$rustapi" ;;
	*) echo $out/bench ;;
	esac
}
instr() {	# instructions for `count $1 $2`
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$(prog "$1")" count "$1" "$2" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
allocs() {	# heap allocations for `count $1 $2`
	valgrind --tool=memcheck "$(prog "$1")" count "$1" "$2" 2>&1 |
		sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
}
per() {	# per-pass difference between 2N and N runs
	awk -v a="$1" -v b="$2" -v n=$N 'BEGIN { printf "%.1f", (b - a) / n }'
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}
p1=$(instr p9fd $N); p2=$(instr p9fd $((2 * N)))
b1=$(instr base $N); b2=$(instr base $((2 * N)))
m1=$(instr batch $N); m2=$(instr batch $((2 * N)))
# the 253-descriptor batch against the naive C batch, per message (fewer messages: each is big)
M=100
g1=$(instr batch253 $M); g2=$(instr batch253 $((2 * M)))
n1=$(instr basebatch253 $M); n2=$(instr basebatch253 $((2 * M)))
# the Rust API: send_fd+recv_fd+drop, and the 253-descriptor batch
r1=$(instr rust $N); r2=$(instr rust $((2 * N)))
s1=$(instr rustbatch253 $M); s2=$(instr rustbatch253 $((2 * M)))
pi=$(per "$p1" "$p2"); bi=$(per "$b1" "$b2"); mi=$(per "$m1" "$m2")
gi=$(awk -v a="$g1" -v b="$g2" -v n=$M 'BEGIN { printf "%.1f", (b - a) / n }')
ni=$(awk -v a="$n1" -v b="$n2" -v n=$M 'BEGIN { printf "%.1f", (b - a) / n }')
ri=$(per "$r1" "$r2")
si=$(awk -v a="$s1" -v b="$s2" -v n=$M 'BEGIN { printf "%.1f", (b - a) / n }')
ha1=$(allocs p9fd $N); ha2=$(allocs p9fd $((2 * N)))
hb1=$(allocs batch $N); hb2=$(allocs batch $((2 * N)))
hr1=$(allocs rust $N); hr2=$(allocs rust $((2 * N)))
hs1=$(allocs rustbatch253 $M); hs2=$(allocs rustbatch253 $((2 * M)))
{
	echo
	echo "| user-space instructions (callgrind, libc wrappers included) | p9fd | baseline | p9fd / baseline |"
	echo "|---|---|---|---|"
	echo "| per sendfd+recvfd+close pass | $pi | $bi | $(ratio "$pi" "$bi") |"
	echo "| per 16-descriptor sendfdmsg+recvfdmsg+16 closes | $mi | | |"
	echo "| per 253-descriptor sendfdmsg+recvfdmsg+253 closes (baseline: a naive C batch) | $gi | $ni | $(ratio "$gi" "$ni") |"
	echo "| Rust API: per send_fd+recv_fd+drop pass | $ri | $bi | $(ratio "$ri" "$bi") |"
	echo "| Rust API: per 253-descriptor send_fds+recv_fds+253 drops (baseline: a naive C batch) | $si | $ni | $(ratio "$si" "$ni") |"
	echo
	echo "| heap allocations (memcheck) | runs of N | runs of 2N | per pass |"
	echo "|---|---|---|---|"
	echo "| sendfd+recvfd+close (N = $N) | $ha1 | $ha2 | $(( (ha2 - ha1) / N )) |"
	echo "| sendfdmsg+recvfdmsg, 16 descriptors (N = $N) | $hb1 | $hb2 | $(( (hb2 - hb1) / N )) |"
	echo "| Rust API: send_fd+recv_fd+drop (N = $N) | $hr1 | $hr2 | $(( (hr2 - hr1) / N )) |"
	echo "| Rust API: send_fds+recv_fds, 253 descriptors (N = $M) | $hs1 | $hs2 | $(( (hs2 - hs1) / M )) |"
} | tee $out/counts.md

bench/footprint.sh
