/*
 * banned.c - a library file that calls a banned function (src/banned.h)
 * does not compile: tests/CMakeLists.txt compiles this as the library is
 * compiled and expects the "is a banned function" error.
 */
#include <string.h>
#include "error.h"

void banned_copy(char *to, const char *from);

void banned_copy(char *to, const char *from)
{
        strcpy(to, from);
}
