/*
 * check.h - the few macros the unit tests need: CHECK(cond) records a
 * failure with file and line and goes on; CHECK_STR compares strings;
 * CHECK_DONE() prints "N passed, N failed" and gives main's exit code.
 */
#ifndef NEREID_CHECK_H
#define NEREID_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                                \
        do {                                                                                       \
                if (cond) {                                                                        \
                        check_passed++;                                                            \
                } else {                                                                           \
                        check_failed++;                                                            \
                        fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);   \
                }                                                                                  \
        } while (0)

#define CHECK_STR(got, want)                                                                       \
        do {                                                                                       \
                const char *check_g_ = (got), *check_w_ = (want);                                  \
                if (check_g_ && check_w_ && strcmp(check_g_, check_w_) == 0) {                     \
                        check_passed++;                                                            \
                } else {                                                                           \
                        check_failed++;                                                            \
                        fprintf(stderr, "%s:%d: %s is \"%s\", want \"%s\"\n", __FILE__, __LINE__,  \
                                #got, check_g_ ? check_g_ : "(null)",                              \
                                check_w_ ? check_w_ : "(null)");                                   \
                }                                                                                  \
        } while (0)

#define CHECK_DONE()                                                                               \
        (printf("%d passed, %d failed\n", check_passed, check_failed), check_failed ? 1 : 0)

#endif
