/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the fuzz targets share: the libFuzzer entry point each defines, and
 * the input handed over as a file or a string.
 *
 * Each target is one file defining LLVMFuzzerTestOneInput(). Linked with
 * clang's -fsanitize=fuzzer it is a fuzzer (make fuzz); linked with
 * replay.c it is a TAP test that feeds it the seed corpus and every crash
 * input kept (make check), with any compiler. A target aborts on a broken
 * property (fuzz_check) so that both report it as a crash.
 *
 * Ownership: the file and the string are the helpers' own, rewritten at
 * each call; nothing leaks across inputs. */
#ifndef LAB_FUZZ_H
#define LAB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a file, for readers that take a path: the same path for
 * every call of a process (a temporary file removed at exit, in $TMPDIR,
 * else /dev/shm, else /tmp). */
const char *fuzz_file(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (cut at its first NUL byte). */
const char *fuzz_string(const uint8_t *data, size_t size);

/* Abort with the message when cond is false: a property the code broke. */
#define fuzz_check(cond, what) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, what))
_Noreturn void fuzz_fail(const char *file, int line, const char *what);

#endif
