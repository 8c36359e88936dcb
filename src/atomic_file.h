/* SPDX-License-Identifier: BSD-2-Clause */
/* atomic_file.h -- replacing a file's contents atomically. */
#ifndef SC_ATOMIC_FILE_H
#define SC_ATOMIC_FILE_H

#include <stddef.h>

#include "status.h"

/* Replaces path by a file holding the `size` bytes of data: a reader sees
 * the old file or the new one whole, never a mixture, also when the call
 * is killed.  An existing regular file's mode (and owner and group, where
 * permitted) carry over; a new file gets 0666 less the umask.  Stale
 * temporaries of killed writers in path's directory are removed.  On
 * failure (SC_ERR_IO, SC_ERR_NOMEM, message prefixed by `caller`) path is
 * untouched and no temporary of this call is left. */
sc_status sc_write_atomically(const char *path, const unsigned char *data,
                              size_t size, const char *caller);

#endif
