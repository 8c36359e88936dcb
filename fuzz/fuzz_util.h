/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_util.h -- what the libFuzzer harnesses in fuzz/ share: reading
 * typed values off the fuzzer's bytes, files in memory, a scratch
 * directory, parameter values near the interesting edges. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "params.h"

/* The fuzzer's input, consumed front to back; once it is used up every
 * read returns zeros, so a harness never runs past it. */
typedef struct {
    const uint8_t *data;
    size_t size, at;
} fz_bytes;

uint8_t fz_u8(fz_bytes *b);
uint32_t fz_u32(fz_bytes *b);
uint64_t fz_u64(fz_bytes *b);
double fz_f64(fz_bytes *b);
float fz_f32(fz_bytes *b);
/* A value in [lo, hi]. */
size_t fz_range(fz_bytes *b, size_t lo, size_t hi);
/* A float that is usually ordinary (in [-2, 2]), sometimes an edge case
 * (0, subnormal, huge, Inf, NaN) or raw bits. */
float fz_float(fz_bytes *b);
/* A value for parameter `info`: its default, a bound, just outside a
 * bound, a small integer, a point inside, or raw bits. */
double fz_param_value(fz_bytes *b, const sc_param_info *info);

/* A memfd holding `size` bytes, and in `path` (at least 32 bytes) the
 * /proc/self/fd path that opens it as a regular file.  Returns the fd
 * (close it when done), or aborts. */
int fz_memfile(const void *data, size_t size, char *path);

/* A private scratch directory (in /dev/shm when there is one), made on the
 * first call and removed, with whatever is left in it, at exit. */
const char *fz_scratch_dir(void);

#endif
