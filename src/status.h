/* SPDX-License-Identifier: BSD-2-Clause */
/* status.h -- failing with a status and a message (thread-local and per
 * model).  Every public function reports errors through sc_fail(). */
#ifndef SC_STATUS_H
#define SC_STATUS_H

#include "sparsecode.h"

#define SC_MESSAGE_SIZE 256

/* Records the message in the calling thread's buffer and, when `message`
 * is not NULL, in that buffer too (a model's own message); returns status.
 * The format is printf's. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
sc_status sc_fail(char *message, sc_status status, const char *format, ...);

#endif
