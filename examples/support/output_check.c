/* SPDX-License-Identifier: BSD-2-Clause */
/* output_check.c -- is an output path writable? (POSIX) */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output_check.h"

int output_check_writable(const char *path, char *err, size_t errsize)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            snprintf(err, errsize, "%s: not a regular file", path);
            return -1;
        }
        if (access(path, W_OK) != 0) {
            snprintf(err, errsize, "%s: %s", path, strerror(errno));
            return -1;
        }
        return 0;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return -1;
    }
    close(fd);
    unlink(path);
    return 0;
}
