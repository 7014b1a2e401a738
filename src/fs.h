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
void fs_format_utc(time_t t, char out[20]);
/* ISO 8601 UTC with milliseconds: "YYYY-MM-DDTHH:MM:SS.mmmZ" of now. */
void fs_now_iso8601(char out[32]);
/* Nanoseconds since the epoch, now. */
int64_t fs_now_ns(void);
int64_t fs_mtime_ns(const struct stat *st);
int64_t fs_ctime_ns(const struct stat *st);

/* a + "/" + b (no double '/'); caller frees; NULL on ENOMEM. */
char *fs_join(const char *a, const char *b);

/* Open (creating as needed) the folder root/dir, where dir is a safe
 * relative path (may be "" for root itself), never following a symbolic
 * link below root, so nothing can land outside root. Returns an O_DIRECTORY
 * fd or a negative NEREID_E* code with the message set. */
int fs_open_dir_below(int rootfd, const char *dir);

/* Create and open a new temporary file in dirfd named ".<base>.nereid-XXXXXX";
 * the chosen name is written to name_out (size name_cap). Returns fd or
 * a negative code. */
int fs_temp_in(int dirfd, const char *base, char *name_out, size_t name_cap);

/* 1 when name has the form of Nereid's temporary files beside a target,
 * ".<base>.nereid-<suffix>" (fs_temp_in, and the links download makes):
 * tracking never records them. */
int fs_is_nereid_temp(const char *name);

/* 1 when s is valid UTF-8 (no overlongs, no surrogates). */
int fs_is_utf8(const char *s);

#endif
