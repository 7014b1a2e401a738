/*
 * fs.h - the platform-specific file-system helpers: UTC time formatting,
 * path joins, safe creation of folders below a root, temporary files beside
 * a target. POSIX only for now; a Windows port adds fs_win.c.
 */
#ifndef NEREID_FS_H
#define NEREID_FS_H

#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

/* "YYYY-MM-DD HH:MM:SS" of t in UTC (SPEC section 2 last_modified). */
void nrd_fs_format_utc(time_t t, char out[20]);
/* ISO 8601 UTC with milliseconds: "YYYY-MM-DDTHH:MM:SS.mmmZ" of now. */
void nrd_fs_now_iso8601(char out[32]);
/* Nanoseconds since the epoch, now. */
int64_t nrd_fs_now_ns(void);
int64_t nrd_fs_mtime_ns(const struct stat *st);
int64_t nrd_fs_ctime_ns(const struct stat *st);

/* a + "/" + b (no double '/'); caller frees; NULL on ENOMEM. */
char *nrd_fs_join(const char *a, const char *b);

/* Open (creating as needed) the folder root/dir, where dir is a safe
 * relative path (may be "" for root itself), never following a symbolic
 * link below root, so nothing can land outside root. Returns an O_DIRECTORY
 * fd or a negative NEREID_E* code with the message set. */
int nrd_fs_open_dir_below(int rootfd, const char *dir);

/* Create and open a new temporary file in dirfd named ".<base>.nereid-XXXXXX"
 * (mode 0666 less the umask); the chosen name is written to name_out (size
 * name_cap). The file is locked (flock) for as long as it is this process's
 * own, so that nrd_fs_temp_clean in another process never takes it for stale,
 * and it is registered for nrd_fs_temp_remove_all. Once the caller has renamed
 * or removed it, nrd_fs_temp_forget releases the registration and the lock.
 * Returns fd or a negative code. */
int nrd_fs_temp_in(int dirfd, const char *base, char *name_out, size_t name_cap);
/* nrd_fs_temp_in with another creation mode (0600 while a private copy is made). */
int nrd_fs_temp_in_mode(int dirfd, const char *base, mode_t mode, char *name_out, size_t name_cap);

/* Release the registrations and locks of the temporary files this thread
 * made with nrd_fs_temp_in: call it once they have been renamed or removed. */
void nrd_fs_temp_forget(void);

/* Remove every temporary file registered by nrd_fs_temp_in that is not yet
 * forgotten, and make nrd_fs_temp_in fail from now on. Async-signal-safe (only
 * unlinkat and atomic loads): for a SIGINT/SIGTERM handler that then ends
 * the process. */
void nrd_fs_temp_remove_all(void);

/* Remove the stale temporary files of Nereid in the folder dirfd: files
 * named as nrd_fs_temp_in names them that no live process holds locked, and
 * temporary links ".<base>.nereid-link-PID-N" whose process is gone.
 * Returns how many were removed; errors are ignored (nothing depends on
 * the clean-up succeeding). */
int nrd_fs_temp_clean(int dirfd);

/* 1 when name has the form of Nereid's temporary files beside a target:
 * ".<base>.nereid-XXXXXX" (nrd_fs_temp_in) or ".<base>.nereid-link-PID-N" (the
 * links download makes). Tracking never records them. */
int nrd_fs_is_nereid_temp(const char *name);

/* Write all len bytes of buf to fd, again after EINTR and short writes.
 * 0, or -1 with errno set (the caller names what failed). */
int nrd_fs_write_all(int fd, const void *buf, size_t len);

/* 1 when s is valid UTF-8 (no overlongs, no surrogates). */
int nrd_fs_is_utf8(const char *s);

#endif
