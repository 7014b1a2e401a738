/*
 * test_strset.c - the string set of src/strset.c: a string is found again
 * once added, by value and not by pointer, across growth; the empty string
 * is a string like any other; a borrowing set frees none of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "strset.h"

static void test_add(void)
{
        strset *set = nrd_strset_new(1);
        char a[] = "token", b[] = "token";

        CHECK(set != NULL);
        if (!set)
                return;
        CHECK(nrd_strset_count(set) == 0);
        CHECK(nrd_strset_add(set, a) == 0);
        CHECK(nrd_strset_add(set, b) == 1); /* same bytes, another pointer */
        a[0] = 'T';                         /* the set holds a copy */
        CHECK(nrd_strset_add(set, "token") == 1);
        CHECK(nrd_strset_add(set, "Token") == 0);
        CHECK(nrd_strset_add(set, "") == 0);
        CHECK(nrd_strset_add(set, "") == 1);
        CHECK(nrd_strset_count(set) == 3);
        nrd_strset_free(set);
        nrd_strset_free(NULL);
}

static void test_growth(int copy)
{
        strset *set = nrd_strset_new(copy);
        char s[32], *kept[20000];
        int i, fresh = 1, again = 1;

        CHECK(set != NULL);
        if (!set)
                return;
        for (i = 0; i < 20000; i++) {
                snprintf(s, sizeof(s), "p/k%05d", i);
                kept[i] = strdup(s); /* a borrowing set needs strings that stay */
                if (!kept[i])
                        abort();
                fresh &= nrd_strset_add(set, copy ? s : kept[i]) == 0;
        }
        for (i = 0; i < 20000; i++) {
                snprintf(s, sizeof(s), "p/k%05d", i);
                again &= nrd_strset_add(set, s) == 1;
        }
        CHECK(fresh);
        CHECK(again);
        CHECK(nrd_strset_count(set) == 20000);
        nrd_strset_free(set);
        for (i = 0; i < 20000; i++)
                free(kept[i]);
}

int main(void)
{
        test_add();
        test_growth(1);
        test_growth(0);
        return CHECK_DONE();
}
