/* SPDX-License-Identifier: BSD-2-Clause */
/* output_paths.h -- checking, before any work, that the files an example
 * will write can be written, so that a long run does not end with
 * "cannot write" and lose what it computed. */
#ifndef EXAMPLE_OUTPUT_PATHS_H
#define EXAMPLE_OUTPUT_PATHS_H

#include <stddef.h>

/* One file an example writes: the option that names it ("--filters") and
 * its path (NULL when not asked for). */
typedef struct {
    const char *option;
    const char *path;
} output_path;

/* 0 if every path given can be created or replaced: its directory exists
 * and may be written and searched, and the path is not a directory nor an
 * existing file that may not be written.  Else 1, after a message on
 * stderr as `program` naming the option, the path and why.  Nothing is
 * created. */
int output_paths_check(const char *program, const output_path *paths,
                       size_t count);

#endif
