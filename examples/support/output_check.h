/* SPDX-License-Identifier: BSD-2-Clause */
/* output_check.h -- finding out before a long run that an output file
 * cannot be written, rather than after it. */
#ifndef EXAMPLE_OUTPUT_CHECK_H
#define EXAMPLE_OUTPUT_CHECK_H

#include <stddef.h>

/* 0 if path can be written: an existing regular file that is writable, or
 * a new file that can be created in its directory (it is created and
 * removed again).  Else -1 with a message in err ("<path>: <reason>"). */
int output_check_writable(const char *path, char *err, size_t errsize);

#endif
