/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_util.c -- see fuzz_util.h. */
#define _GNU_SOURCE

#include "fuzz_util.h"

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

uint8_t fz_u8(fz_bytes *b)
{
    return b->at < b->size ? b->data[b->at++] : 0;
}

uint32_t fz_u32(fz_bytes *b)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)fz_u8(b) << (8 * i);
    return v;
}

uint64_t fz_u64(fz_bytes *b)
{
    uint64_t lo = fz_u32(b);
    return lo | (uint64_t)fz_u32(b) << 32;
}

double fz_f64(fz_bytes *b)
{
    uint64_t bits = fz_u64(b);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

float fz_f32(fz_bytes *b)
{
    uint32_t bits = fz_u32(b);
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

size_t fz_range(fz_bytes *b, size_t lo, size_t hi)
{
    size_t span = hi - lo + 1;
    uint32_t v = span > 256 ? fz_u32(b) : fz_u8(b);
    return lo + (span == 0 ? v : v % span);
}

float fz_float(fz_bytes *b)
{
    uint8_t kind = fz_u8(b);
    switch (kind % 16) {
    case 0: return 0.0f;
    case 1: return FLT_MIN / 4;           /* subnormal */
    case 2: return FLT_MAX;
    case 3: return -1e30f;
    case 4: return INFINITY;
    case 5: return NAN;
    case 6: return fz_f32(b);
    default: return ((float)fz_u8(b) - 128.0f) / 64.0f;
    }
}

double fz_param_value(fz_bytes *b, const sc_param_info *info)
{
    double span = info->hi - info->lo;
    switch (fz_u8(b) % 10) {
    case 0: return info->lo;
    case 1: return info->hi;
    case 2: return info->lo - 1;
    case 3: return info->hi + 1;
    case 4: return (double)(fz_u8(b) % 20);
    case 5: return info->lo + span * (fz_u8(b) / 255.0);
    case 6: return floor(info->lo + span * (fz_u8(b) / 255.0));
    case 7: return fz_f64(b);
    default: return info->initial;
    }
}

int fz_memfile(const void *data, size_t size, char *path)
{
    int fd = memfd_create("fuzz", MFD_CLOEXEC);
    if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size)) {
        perror("fz_memfile");
        abort();
    }
    snprintf(path, 32, "/proc/self/fd/%d", fd);
    return fd;
}

static char scratch[64];

static void remove_scratch(void)
{
    DIR *d = opendir(scratch);
    if (d == NULL)
        return;
    struct dirent *e;
    char path[sizeof scratch + 300];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", scratch, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(scratch);
}

const char *fz_scratch_dir(void)
{
    if (scratch[0] == 0) {
        const char *root = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(scratch, sizeof scratch, "%s/sc-fuzz-XXXXXX", root);
        if (mkdtemp(scratch) == NULL) {
            perror("fz_scratch_dir");
            abort();
        }
        atexit(remove_scratch);
    }
    return scratch;
}
