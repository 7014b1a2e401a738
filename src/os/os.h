/*
 * os.h - the platform layer: every call whose form differs between
 * systems (error texts, the password database, clocks, the current
 * folder, file locks, search-only folder descriptors, stat times). The
 * rest of the library calls these and stays free of platform #ifdefs.
 * Not a portability layer for POSIX calls that are the same everywhere
 * the library builds (open, openat, fstatat, readlinkat, renameat,
 * fdopendir, pthreads): those are called directly.
 *
 * posix.c implements it for Linux, the BSDs and macOS. A win32.c would
 * provide every function below, and besides (the places that call POSIX
 * directly today): directory descriptors and the *at() calls (local_scan.c,
 * fs.c, download.c, source.c), which Windows lacks (handles opened with
 * FILE_FLAG_BACKUP_SEMANTICS and NtCreateFile relative to a handle);
 * symbolic links (CreateSymbolicLinkW); pthreads (winpthreads, or
 * SRWLOCK/CONDITION_VARIABLE in pool.c and s3.c); realpath
 * (GetFinalPathNameByHandleW); rand_r (rand_s); environ (options.c;
 * _environ, or GetEnvironmentStringsW). CMake picks one file.
 */
#ifndef NEREID_OS_H
#define NEREID_OS_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

/* The text of errno value errnum: in buf (cap bytes) or a static string;
 * never NULL, an unknown value gives "error N" or the system's words. */
const char *nrd_os_strerror(int errnum, char *buf, size_t cap);

/* The login name and the home folder of the user the process runs as,
 * from the system's user database; caller frees; NULL when there is no
 * entry (no error is set) or out of memory (the error is set). */
char *nrd_os_user_name(void);
char *nrd_os_user_home(void);

/* The current folder, however long; caller frees; NULL with the error
 * set ("current directory: <why>"). */
char *nrd_os_getcwd(void);

/* t as UTC calendar time; 0, or -1 when t cannot be represented. */
int nrd_os_gmtime(time_t t, struct tm *out);
/* The inverse: tm read as UTC (tm_wday, tm_yday are ignored); -1 (which
 * is also 1969-12-31 23:59:59) when it cannot be represented. */
time_t nrd_os_timegm(struct tm *tm);
/* Nanoseconds since 1970 (wall clock), and on a clock that never goes
 * back (for timeouts; its origin is meaningless). */
int64_t nrd_os_realtime_ns(void);
int64_t nrd_os_monotonic_ns(void);
/* Sleep ms milliseconds, resuming after signals. */
void nrd_os_sleep_ms(long ms);

/* Modification and status-change times of st, in nanoseconds; and the
 * access and modification times as the pair futimens() takes. */
int64_t nrd_os_mtime_ns(const struct stat *st);
int64_t nrd_os_ctime_ns(const struct stat *st);
void nrd_os_stat_times(const struct stat *st, struct timespec times[2]);

/* Fill buf with cap (at most 256) random bytes from the system; 0, or
 * -1 when it has none to give (callers fall back to a weaker seed). */
int nrd_os_random(void *buf, size_t cap);

/* This process's ID. */
long nrd_os_pid(void);
/* Processors online, at least 1 and at most 4096. */
unsigned nrd_os_cpu_count(void);

/* Open folder path only to open or stat files below it (O_PATH where the
 * system has it, so the folder needs search permission only); a
 * descriptor, or -1 with errno set. Close-on-exec. */
int nrd_os_open_search_dir(const char *path);
/* 1 when readdir's entry de says, without a stat, that it is a regular
 * file; 0 when it is something else or the system does not say. */
int nrd_os_dirent_is_file(const struct dirent *de);
/* Tell the system fd will be read once from start to end (a hint: its
 * failure, on a pipe say, is ignored). */
void nrd_os_advise_sequential(int fd);
/* An exclusive lock on fd without waiting, held until every descriptor
 * of that open file is closed (flock semantics: not per process, so it
 * also excludes other threads' opens); 0, or -1 with errno set
 * (EWOULDBLOCK when another holds it). */
int nrd_os_lock_try(int fd);
/* A shared lock on fd, waiting for an exclusive holder; the same
 * semantics; 0, or -1 with errno set. */
int nrd_os_lock_shared(int fd);

#endif
