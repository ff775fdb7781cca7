/*
 * For make check-ports on musl only: Debian's LLVM libunwind.a, which Rust's std needs there,
 * was built against glibc and calls its fortified __fprintf_chk, which musl lacks. This gives
 * it one, with the meaning glibc documents (fprintf, the flag ignored).
 */
#include <stdarg.h>
#include <stdio.h>

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);

int
__fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list arg;
	int n;

	(void)flag;
	va_start(arg, fmt);
	n = vfprintf(f, fmt, arg);
	va_end(arg);
	return n;
}
