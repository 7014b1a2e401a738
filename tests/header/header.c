/*
 * header.c - include/nereid.h compiled alone, as C89 with -pedantic and as
 * C++11 (tests/CMakeLists.txt runs both): the public header needs nothing
 * the library's own build has and nothing newer than C89. Compiled only,
 * never run.
 */
#include "nereid.h"

int main(void)
{
        nereid_project *project = 0;
        int code = NEREID_ECANCELLED;

        (void)project;
        return nereid_error_name(code)[0] == 'c' ? 0 : 1;
}
