/* SPDX-License-Identifier: BSD-2-Clause */
/* args.c -- parsing the examples' numeric options. */
#include <math.h>
#include <stdlib.h>

#include "args.h"

int args_long(const char *text, long *v)
{
    char *end;
    *v = strtol(text, &end, 10);
    return end == text || *end != 0 || *v < 0 ? -1 : 0;
}

int args_double(const char *text, double *v)
{
    char *end;
    *v = strtod(text, &end);
    return end == text || *end != 0 || !(*v >= 0) || isinf(*v) ? -1 : 0;
}

int args_seed(const char *text, unsigned long long *seed)
{
    long v = 0;
    int bad = args_long(text, &v);
    *seed = (unsigned long long)v;
    return bad;
}
