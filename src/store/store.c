/*
 * store.c - what every store backend shares: freeing the seam's small
 * structs and deriving a project key from a project name.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "../error.h"
#include "store.h"

void store_run_info_clear(store_run_info *info)
{
        free(info->name);
        free(info->owner);
        memset(info, 0, sizeof(*info));
}

void store_roots_free(store_root *roots, size_t count)
{
        size_t i;

        for (i = 0; i < count; i++) {
                free(roots[i].location);
                free(roots[i].destination);
        }
        free(roots);
}

static int store_is_vowel(int c)
{
        return strchr("AEIOUY", c) != NULL;
}

void store_derive_key(const char *project, char key_out[16])
{
        const char *slash = strrchr(project, '/');
        const char *p = slash ? slash + 1 : project;
        size_t n = 0;

        /* "classification" -> C, then the next consonants L, S -> "CLS". */
        for (; *p && n < 3; p++) {
                int c = toupper((unsigned char)*p);

                if (c < 'A' || c > 'Z')
                        continue;
                if (n == 0 || !store_is_vowel(c))
                        key_out[n++] = (char)c;
        }
        while (n < 2)
                key_out[n++] = 'X';
        key_out[n] = '\0';
}
