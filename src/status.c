/* SPDX-License-Identifier: BSD-2-Clause */
/* status.c -- status names, the per-thread message and sc_version(). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "status.h"

static _Thread_local char thread_message[SC_MESSAGE_SIZE];

sc_status sc_fail(char *message, sc_status status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(thread_message, sizeof thread_message, format, args);
    va_end(args);
    if (message != NULL)
        memcpy(message, thread_message, SC_MESSAGE_SIZE);
    return status;
}

const char *sc_last_message(void)
{
    return thread_message;
}

const char *sc_status_string(sc_status status)
{
    switch (status) {
    case SC_OK:            return "SC_OK: success";
    case SC_ERR_NULL:      return "SC_ERR_NULL: required pointer is NULL";
    case SC_ERR_SIZE:      return "SC_ERR_SIZE: size is zero, too large or inconsistent";
    case SC_ERR_PARAM:     return "SC_ERR_PARAM: unknown parameter";
    case SC_ERR_RANGE:     return "SC_ERR_RANGE: value out of range";
    case SC_ERR_STATE:     return "SC_ERR_STATE: call not allowed in this state";
    case SC_ERR_NOMEM:     return "SC_ERR_NOMEM: out of memory";
    case SC_ERR_NONFINITE: return "SC_ERR_NONFINITE: NaN or Inf in input or result";
    case SC_ERR_IO:        return "SC_ERR_IO: file could not be read or written";
    case SC_ERR_FORMAT:    return "SC_ERR_FORMAT: not a valid model file";
    case SC_ERR_VERSION:   return "SC_ERR_VERSION: unsupported model file version";
    }
    return "unknown status";
}

unsigned sc_version(void)
{
    return SC_VERSION_NUMBER;
}

const char *sc_version_string(void)
{
    return SC_VERSION_STRING;
}
