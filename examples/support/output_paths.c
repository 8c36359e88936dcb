/* SPDX-License-Identifier: BSD-2-Clause */
/* output_paths.c -- see output_paths.h. */
#define _POSIX_C_SOURCE 200809L
#include "output_paths.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Why path cannot be written, or NULL if it can. */
static const char *unwritable(const char *path, char *why, size_t size)
{
    size_t len = strlen(path);
    if (len == 0)
        return "an empty path";
    if (path[len - 1] == '/')
        return "a directory";
    /* The directory part: up to the last '/', or "." without one. */
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash == NULL ? 1 : slash == path ? 1
                                                       : (size_t)(slash - path);
    if (dir_len >= sizeof dir)
        return "a path too long";
    memcpy(dir, slash == NULL ? "." : path, dir_len);
    dir[dir_len] = '\0';
    struct stat st;
    if (stat(dir, &st) != 0) {
        snprintf(why, size, "%s: %s", dir, strerror(errno));
        return why;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, size, "%s is not a directory", dir);
        return why;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(why, size, "the directory %s is not writable: %s", dir,
                 strerror(errno));
        return why;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return "a directory";
        if (access(path, W_OK) != 0) {
            snprintf(why, size, "not writable: %s", strerror(errno));
            return why;
        }
    }
    return NULL;
}

int output_paths_check(const char *program, const output_path *paths,
                       size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (paths[i].path == NULL)
            continue;
        char why[4200];
        const char *reason = unwritable(paths[i].path, why, sizeof why);
        if (reason != NULL) {
            fprintf(stderr, "%s: %s %s: cannot write there: %s\n", program,
                    paths[i].option, paths[i].path, reason);
            return 1;
        }
    }
    return 0;
}
