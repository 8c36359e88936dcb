/* SPDX-License-Identifier: BSD-2-Clause */
/* atomic_file.c -- replacing a file's contents atomically.
 *
 * The new contents go to a temporary file in the target's directory, which
 * is written, given the old file's mode and owner, synced with fsync, and
 * renamed over the target; then the directory is synced.  rename within a
 * directory is atomic, so the target is always the old file or the new one.
 *
 * The temporary.  Where the kernel and file system offer O_TMPFILE (Linux
 * 3.11 and later; ext4, xfs, btrfs, tmpfs, ...) it is an unnamed file,
 * which vanishes with its writer: it is given a name only for the instant
 * between linkat and rename, since rename needs one.  Elsewhere it is
 * created under a name with O_EXCL.  The name is TEMP_PREFIX and 16 random
 * hex digits (25 bytes, so any valid target name has one beside it); a
 * clash with an existing name is retried with a new name, never shared,
 * so PIDs that repeat (a container's PID 1) cannot block a save.
 *
 * Stale temporaries.  A writer holds an exclusive flock on its temporary
 * from before the temporary has a name until after the rename, so a named
 * temporary that another process can lock belongs to a writer that died:
 * after every successful save the temporaries in its directory that can
 * be locked are removed.  A killed save thus leaves nothing (O_TMPFILE,
 * unless the kill falls between linkat and rename) or one temporary, which
 * the next successful save in that directory removes.  On a file system
 * without flock, temporaries of killed writers stay (never reused, never
 * in a later save's way).
 */
#define _GNU_SOURCE /* O_TMPFILE, AT_EMPTY_PATH */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"

#define TEMP_PREFIX ".sc-save-"
#define TEMP_PREFIX_LENGTH (sizeof TEMP_PREFIX - 1)
#define TEMP_SUFFIX_LENGTH 16
#define NAME_ATTEMPTS 100

/* ---- names ---------------------------------------------------------- */

static _Atomic uint64_t names_made;

/* 64 bits that differ between calls, threads, processes and boots: the
 * clock, the process, a counter and an address (ASLR), mixed by the
 * splitmix64 finaliser.  Not secret; O_EXCL settles any clash. */
static uint64_t random_bits(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t x = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    x ^= (uint64_t)getpid() << 40;
    x ^= (uint64_t)(uintptr_t)&now;
    x += (atomic_fetch_add(&names_made, 1) + 1) * 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

/* A temporary path beside path's file, in tmp (strlen(path) + 32 bytes):
 * path's directory part, TEMP_PREFIX, 16 random hex digits. */
static void temporary_name(const char *path, size_t directory_length,
                           char *tmp)
{
    memcpy(tmp, path, directory_length);
    sprintf(tmp + directory_length, "%s%016llx", TEMP_PREFIX,
            (unsigned long long)random_bits());
}

/* Whether name (a directory entry) has the form of a temporary. */
static int is_temporary_name(const char *name)
{
    if (strncmp(name, TEMP_PREFIX, TEMP_PREFIX_LENGTH) != 0 ||
        strlen(name) != TEMP_PREFIX_LENGTH + TEMP_SUFFIX_LENGTH)
        return 0;
    for (const char *c = name + TEMP_PREFIX_LENGTH; *c != '\0'; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return 0;
    return 1;
}

/* path's directory as a path of its own ("dir/." or "."), malloc'd. */
static char *directory_of(const char *path, size_t directory_length)
{
    char *directory = malloc(directory_length + 2);
    if (directory != NULL) {
        memcpy(directory, path, directory_length);
        strcpy(directory + directory_length, ".");
    }
    return directory;
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* ---- stale temporaries -------------------------------------------------- */

/* Removes the temporaries in `directory` whose writers are gone: those
 * that can be locked.  Best effort, errors ignored. */
static void remove_stale_temporaries(const char *directory)
{
    int dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return;
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        close(dfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_temporary_name(e->d_name))
            continue;
        int fd = openat(dfd, e->d_name,
                        O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct stat opened, named;
        /* Locked by us, and the name still the file we locked: its writer
         * is dead (a live one holds the lock while the name exists). */
        if (fstat(fd, &opened) == 0 && S_ISREG(opened.st_mode) &&
            flock(fd, LOCK_EX | LOCK_NB) == 0 &&
            fstatat(dfd, e->d_name, &named, AT_SYMLINK_NOFOLLOW) == 0 &&
            same_file(&opened, &named))
            unlinkat(dfd, e->d_name, 0);
        close(fd);
    }
    closedir(d);
}

/* ---- the temporary ------------------------------------------------------ */

/* Locks fd for the writer's lifetime.  A file system without locks
 * (ENOLCK, EOPNOTSUPP, ENOSYS, EINVAL) is no error: its temporaries are
 * never removed by others, as no one can lock them either. */
static int lock_temporary(int fd)
{
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    return errno == EWOULDBLOCK ? -1 : 0;
}

/* Creates a named temporary beside path, locked, and writes its name to
 * tmp; the file descriptor, or -1 with errno set. */
static int create_named_temporary(const char *path, size_t directory_length,
                                  char *tmp)
{
    for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
        temporary_name(path, directory_length, tmp);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;
            return -1;
        }
        /* Between open and flock another save may have taken the new
         * file for stale and locked or removed it: then try a new name. */
        struct stat opened, named;
        if (lock_temporary(fd) == 0 && fstat(fd, &opened) == 0 &&
            lstat(tmp, &named) == 0 && same_file(&opened, &named))
            return fd;
        close(fd);
    }
    errno = EEXIST;
    return -1;
}

#ifdef O_TMPFILE
/* An unnamed temporary in path's directory, locked; -1 when the system or
 * file system has no O_TMPFILE (or it fails otherwise: the named way then
 * reports the error). */
static int create_unnamed_temporary(const char *path, size_t directory_length)
{
    char *directory = directory_of(path, directory_length);
    if (directory == NULL)
        return -1;
    int fd = open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    free(directory);
    if (fd >= 0 && lock_temporary(fd) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Gives the unnamed temporary fd a fresh name, written to tmp; 0, or -1
 * with errno set. */
static int name_unnamed_temporary(int fd, const char *path,
                                  size_t directory_length, char *tmp)
{
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
        temporary_name(path, directory_length, tmp);
        /* Through /proc (any user), else AT_EMPTY_PATH (which needs
         * CAP_DAC_READ_SEARCH, but no /proc). */
        if (linkat(AT_FDCWD, self, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
            return 0;
        if (errno != EEXIST &&
            linkat(fd, "", AT_FDCWD, tmp, AT_EMPTY_PATH) == 0)
            return 0;
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}
#endif

/* ---- writing -------------------------------------------------------------- */

/* Gives fd the mode, owner and group of the regular file `old` (owner and
 * group only where permitted: root, or a group the caller is in). */
static int keep_attributes(int fd, const struct stat *old)
{
    struct stat now;
    if (fstat(fd, &now) != 0)
        return -1;
    if ((now.st_uid != old->st_uid || now.st_gid != old->st_gid) &&
        fchown(fd, old->st_uid, old->st_gid) != 0 &&
        now.st_gid != old->st_gid)
        (void)!fchown(fd, (uid_t)-1, old->st_gid);
    /* After fchown, which may clear set-user-ID and set-group-ID. */
    return fchmod(fd, old->st_mode & 07777);
}

static int write_all(int fd, const unsigned char *data, size_t size)
{
    size_t done = 0;
    while (done < size) {
        ssize_t wrote = write(fd, data + done, size - done);
        if (wrote < 0 && errno != EINTR)
            return -1;
        if (wrote > 0)
            done += (size_t)wrote;
    }
    return 0;
}

/* Syncs the directory part of path, so that the rename is durable.  A
 * directory that cannot be opened for reading or a file system that does
 * not sync directories (EINVAL) is skipped. */
static int sync_directory(const char *path, size_t directory_length)
{
    char *directory = directory_of(path, directory_length);
    if (directory == NULL)
        return 0;
    int fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(directory);
    if (fd < 0)
        return 0;
    int failed = fsync(fd) != 0 && errno != EINVAL;
    int saved = errno;
    close(fd);
    errno = saved;
    return failed ? -1 : 0;
}

/* Writes the data to the temporary fd, gives it the attributes of `old`
 * (when replacing) and syncs it; NULL, or the step that failed. */
static const char *fill_temporary(int fd, const unsigned char *data,
                                  size_t size, const struct stat *old)
{
    if (write_all(fd, data, size) != 0)
        return "write";
    if (old != NULL && keep_attributes(fd, old) != 0)
        return "keeping the mode";
    if (fsync(fd) != 0)
        return "fsync";
    return NULL;
}

sc_status sc_write_atomically(const char *path, const unsigned char *data,
                              size_t size, const char *caller)
{
    const char *slash = strrchr(path, '/');
    size_t directory_length = slash != NULL ? (size_t)(slash - path) + 1 : 0;
    char *tmp = malloc(strlen(path) + 32);
    if (tmp == NULL)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    struct stat st;
    const struct stat *old =
        lstat(path, &st) == 0 && S_ISREG(st.st_mode) ? &st : NULL;

    const char *failed = NULL;
    int named = 0, fd = -1;
#ifdef O_TMPFILE
    fd = create_unnamed_temporary(path, directory_length);
    if (fd >= 0) {
        failed = fill_temporary(fd, data, size, old);
        if (failed == NULL) {
            named = name_unnamed_temporary(fd, path, directory_length,
                                           tmp) == 0;
            if (!named && errno == EEXIST) {
                failed = "linkat";
            } else if (!named) {
                /* No way to link it (no /proc, no capability): the
                 * named way below. */
                close(fd);
                fd = -1;
            }
        }
    }
#endif
    if (fd < 0 && failed == NULL) {
        fd = create_named_temporary(path, directory_length, tmp);
        named = fd >= 0;
        failed = fd < 0 ? "creating a file beside it"
                        : fill_temporary(fd, data, size, old);
    }
    if (failed == NULL && rename(tmp, path) != 0)
        failed = "rename";
    if (failed == NULL)
        named = 0;
    /* The new file is in place; an error here says it may not survive a
     * crash of the system. */
    if (failed == NULL && sync_directory(path, directory_length) != 0)
        failed = "fsync of the directory";
    sc_status status = SC_OK;
    if (failed != NULL)
        status = sc_fail(NULL, SC_ERR_IO, "%s: %s of %s failed: %s", caller,
                         failed, path, strerror(errno));
    if (named)
        unlink(tmp);
    /* Closing releases the lock: only once the temporary has no name.
     * (fsync has reported any write error.) */
    if (fd >= 0)
        close(fd);
    if (status == SC_OK) {
        tmp[directory_length] = '\0';
        remove_stale_temporaries(directory_length > 0 ? tmp : ".");
    }
    free(tmp);
    return status;
}
