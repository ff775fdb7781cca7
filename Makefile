# p9fd's front door.
#
#	make		build target/release/libp9fd.a and libp9fd.so (soname libp9fd.so.N)
#	make demo	build, then run the examples end to end
#	make check	every test: header freshness, fmt, clippy, Rust tests, the C suite
#	make header	regenerate include/p9fd.h with cbindgen
#	make clean
#
# Nothing here writes outside target/, except `make header`, which rewrites include/p9fd.h.

CARGO ?= cargo
CC ?= cc
LIBDIR = target/release
MAJOR := $(shell sed -n 's/^version = "\([0-9]*\)\..*/\1/p' Cargo.toml | head -n 1)
# What libp9fd.a needs besides libc, as `rustc --print native-static-libs` reports it.
STATIC_LIBS = -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
EXAMPLES = pingpong
CFLAGS_EX = -std=c99 -Wall -Wextra -Werror -O2 -Iinclude

all: lib

lib:
	$(CARGO) build --release --locked
	ln -sf libp9fd.so $(LIBDIR)/libp9fd.so.$(MAJOR)

examples: lib
	mkdir -p target/examples
	for e in $(EXAMPLES); do \
		$(CC) $(CFLAGS_EX) -o target/examples/$$e examples/$$e.c \
			-L$(LIBDIR) -Wl,-rpath,$(CURDIR)/$(LIBDIR) -lp9fd || exit 1; \
	done

demo: examples
	for e in $(EXAMPLES); do \
		echo "== $$e"; timeout 60 target/examples/$$e || exit 1; \
	done

header:
	P9FD_BLESS=1 $(CARGO) test --locked --test header

check: lib examples
	$(CARGO) test --locked --test header
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(CARGO) test --locked
	STATIC_LIBS="$(STATIC_LIBS)" c-tests/run.sh $(LIBDIR)

clean:
	$(CARGO) clean

.PHONY: all lib examples demo header check clean
