/*
 * banned.h - C library functions the library must not call, turned into
 * compile errors (as git's banned.h): each is easy to misuse or keeps
 * hidden state. Included by error.h, which every file of src/ includes
 * after its system headers, and only when building the library
 * (NEREID_BUILDING), so tests and tools keep the plain C library.
 * Use instead:
 *   strcpy, strcat, strncpy, strncat, sprintf, vsprintf: memcpy with the
 *     lengths known, snprintf, or a nereid_buf (buf.h);
 *   gets: fgets or read; strtok: strtok_r or strchr/strcspn;
 *   strerror: nrd_strerror (error.h); gmtime, localtime, ctime, asctime:
 *     nrd_os_gmtime (os/os.h); atoi, atol, atoll: strtol/strtoull with the
 *     end and errno checked; tmpnam, tempnam, mktemp: mkstemp or
 *     O_TMPFILE beside the target;
 *   malloc, calloc, realloc, strdup, strndup: nrd_malloc, nrd_calloc,
 *     nrd_realloc_array, nrd_strdup, nrd_strndup (alloc.h), so tests can
 *     fail them; alloc.c and the error message's own buffer (error.c)
 *     define NEREID_ALLOC_RAW to reach them.
 *   getenv, secure_getenv: the library never reads the environment; the
 *     program passes nereid_options (nereid_options_from_env() walks
 *     environ itself, in options.c); getpwuid, getpwnam: nrd_os_user_name,
 *     nrd_os_user_home (os/os.h).
 */
#ifndef NEREID_BANNED_H
#define NEREID_BANNED_H

#ifdef NEREID_BUILDING

#define NEREID_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) NEREID_BANNED(strcpy)
#undef strcat
#define strcat(x, y) NEREID_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) NEREID_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) NEREID_BANNED(strncat)
#undef sprintf
#define sprintf(...) NEREID_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) NEREID_BANNED(vsprintf)
#undef gets
#define gets(x) NEREID_BANNED(gets)
#undef strtok
#define strtok(x, y) NEREID_BANNED(strtok)
#undef strerror
#define strerror(x) NEREID_BANNED(strerror)
#undef gmtime
#define gmtime(t) NEREID_BANNED(gmtime)
#undef localtime
#define localtime(t) NEREID_BANNED(localtime)
#undef ctime
#define ctime(t) NEREID_BANNED(ctime)
#undef asctime
#define asctime(t) NEREID_BANNED(asctime)
#undef atoi
#define atoi(x) NEREID_BANNED(atoi)
#undef atol
#define atol(x) NEREID_BANNED(atol)
#undef atoll
#define atoll(x) NEREID_BANNED(atoll)
#undef tmpnam
#define tmpnam(x) NEREID_BANNED(tmpnam)
#undef tempnam
#define tempnam(x, y) NEREID_BANNED(tempnam)
#undef mktemp
#define mktemp(x) NEREID_BANNED(mktemp)
#undef getenv
#define getenv(x) NEREID_BANNED(getenv)
#undef secure_getenv
#define secure_getenv(x) NEREID_BANNED(secure_getenv)
#undef getpwuid
#define getpwuid(x) NEREID_BANNED(getpwuid)
#undef getpwnam
#define getpwnam(x) NEREID_BANNED(getpwnam)

#ifndef NEREID_ALLOC_RAW
#undef malloc
#define malloc(n) NEREID_BANNED(malloc)
#undef calloc
#define calloc(n, m) NEREID_BANNED(calloc)
#undef realloc
#define realloc(p, n) NEREID_BANNED(realloc)
#undef strdup
#define strdup(s) NEREID_BANNED(strdup)
#undef strndup
#define strndup(s, n) NEREID_BANNED(strndup)
#endif

#endif /* NEREID_BUILDING */

#endif
