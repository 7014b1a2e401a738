/*
 * test_options_md5.c - the md5 option (version 2 of nereid_options) and
 * NEREID_MD5: read only from options of version 2, a bad value refused
 * naming it, an implementation the CPU cannot run refused when a project
 * opens, and nereid_options_init of version 1 writing nothing past the
 * version-1 struct (a binding built against the old header).
 */
#include <stddef.h>
#include <stdlib.h>
#include "check.h"
#include "scratch.h"
#include "nereid.h"
#include "md5mb/md5mb.h"

int main(void)
{
        nereid_options opts = NEREID_OPTIONS_INIT;
        nereid_project *project = NULL;
        unsigned char raw[sizeof(nereid_options) + 16];
        size_t v1 = offsetof(nereid_options, md5), i;
        int impl, sentinel_ok = 1;

        if (scratch_begin("options_md5") < 0)
                return 1;
        CHECK(nereid_init() == 1);

        /* Version 1: nothing written past the old struct. */
        memset(raw, 0xA5, sizeof(raw));
        CHECK(nereid_options_init((nereid_options *)(void *)raw, 1) == 0);
        for (i = v1; i < sizeof(raw); i++)
                if (raw[i] != 0xA5)
                        sentinel_ok = 0;
        CHECK(sentinel_ok);
        CHECK(opts.version == 2 && opts.md5 == NEREID_MD5_AUTO);

        /* From the environment. */
        setenv("NEREID_MD5", "scalar", 1);
        CHECK(nereid_options_from_env(&opts) == 0);
        CHECK(opts.md5 == NEREID_MD5_SCALAR);
        setenv("NEREID_MD5", "avx1024", 1);
        CHECK(nereid_options_from_env(&opts) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "NEREID_MD5=avx1024") != NULL);
        CHECK(opts.md5 == NEREID_MD5_SCALAR); /* left as it was */
        /* Options of version 1 have no md5 field: the variable is not
         * read, whatever it holds. */
        memset(raw, 0xA5, sizeof(raw));
        CHECK(nereid_options_init((nereid_options *)(void *)raw, 1) == 0);
        CHECK(nereid_options_from_env((nereid_options *)(void *)raw) == 0);
        CHECK(raw[v1] == 0xA5);
        nereid_options_dispose((nereid_options *)(void *)raw);
        unsetenv("NEREID_MD5");
        nereid_options_dispose(&opts);

        /* Opening a project checks the value and the CPU. */
        opts.store = path_in(root, "store");
        opts.md5 = 99;
        CHECK(nereid_project_open(&project, NULL, &opts) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "md5 implementation 99") != NULL);
        for (impl = NEREID_MD5_AUTO; impl <= NEREID_MD5_AVX512; impl++) {
                int resolved, can = nrd_md5mb_resolve(impl, &resolved) == 0;

                opts.md5 = impl;
                project = NULL;
                if (can) {
                        CHECK(nereid_project_open(&project, NULL, &opts) == 0);
                } else {
                        printf("md5 %s: this CPU cannot run it: checked that it is refused\n",
                               nrd_md5mb_name(impl));
                        CHECK(nereid_project_open(&project, NULL, &opts) == NEREID_EINVALID);
                        CHECK(strstr(nereid_error_last(), "this CPU has no") != NULL);
                }
                nereid_project_free(project);
        }
        CHECK(nereid_shutdown() == 0);
        return scratch_end(CHECK_DONE());
}
