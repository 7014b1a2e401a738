/*
 * error.h - the thread-local "last error" message and the helpers that set
 * it. The module that knows the cause sets the message; callers return the
 * code upward unchanged.
 */
#ifndef NEREID_ERROR_H
#define NEREID_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include "nereid.h"

/* Set the message (printf-style) and return code, so that
 * `return nrd_error(NEREID_ENOTFOUND, "run %s: not found", id);` reads well. */
int nrd_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like nrd_error, appending ": strerror(errnum)". */
int nrd_error_os(int code, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like nrd_error(NEREID_ERROR, ...), and marks the failure "unavailable":
 * a service the call needs (a database server) cannot be reached now, and
 * the same call may work later, unchanged (a server answers 503 with
 * Retry-After). The mark stays while callers add context with
 * nrd_error(NEREID_ERROR, ...); another code or nrd_error_clear drops it. */
int nrd_error_unavailable(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int nrd_error_is_unavailable(void);
/* The status code that fits an errno value (ENOENT -> ENOTFOUND, EACCES -> EACCESS). */
int nrd_error_from_errno(int errnum);
/* Out of memory: sets the message, returns NEREID_ERROR. */
int nrd_error_oom(void);
void nrd_error_clear(void);
/* vsnprintf into out (cap bytes), except that a message too long for out
 * loses its middle ("...") rather than its end, where the cause is. For
 * messages that go elsewhere than the last error (warnings). */
void nrd_error_vformat(char *out, size_t cap, const char *fmt, va_list ap);
/* The text of errno value errnum, as strerror (banned: not thread-safe)
 * gives it, in buf (cap bytes, 64 or more); returns buf or a static string. */
const char *nrd_strerror(int errnum, char *buf, size_t cap);

/* Every file of the library includes this header after its system
 * headers: the allocation wrappers, then the banned functions. */
#include "alloc.h"
#include "banned.h"

#endif
