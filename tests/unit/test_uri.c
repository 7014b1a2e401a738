/*
 * test_uri.c - unit tests of src/uri.c: field paths, run IDs, project keys
 * and names, RUN:FIELD references, the safe-relative check and
 * percent-encoding. Track paths are the source drivers' own
 * (test_source_location.c).
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "error.h"
#include "uri.h"

static void check_field(const char *field, int want_ok, const char *part)
{
        int rc = nrd_uri_check_field(field);

        if ((rc == 0) != want_ok)
                fprintf(stderr, "field \"%s\": rc %d (%s)\n", field ? field : "(null)", rc,
                        nereid_error_last());
        CHECK(want_ok ? rc == 0 : rc == NEREID_EINVALID);
        CHECK(nereid_field_path_check(field) == rc);
        if (!want_ok && part)
                CHECK(strstr(nereid_error_last(), part) != NULL);
}

static void test_fields(void)
{
        char longest[1026];

        check_field("a", 1, NULL);
        check_field("data_versions/train", 1, NULL);
        check_field("A-b.c_1/x/y/z", 1, NULL);
        check_field("sys/id", 1, NULL); /* valid, only not writable */
        check_field("...", 1, NULL);

        memset(longest, 'x', 1024);
        longest[1024] = '\0';
        check_field(longest, 1, NULL);
        longest[1024] = 'x';
        longest[1025] = '\0';
        check_field(longest, 0, "longer than 1024 bytes");

        check_field(NULL, 0, "empty");
        check_field("", 0, "empty");
        check_field("/a", 0, "field \"/a\"");
        check_field("a/", 0, "must not start or end with '/'");
        check_field("/", 0, "'/'");
        check_field("a//b", 0, "field \"a//b\": empty segment");
        check_field("a b", 0, "character ' ' is not allowed");
        check_field("run:field", 0, "character ':'");
        check_field("a\\b", 0, "character '\\'");
        check_field("données", 0, "byte 0xC3");
        check_field("a\tb", 0, "byte 0x09");
}

static void test_writable(void)
{
        CHECK(nrd_uri_field_writable("data_versions/train") == 0);
        CHECK(nrd_uri_field_writable("system/x") == 0);
        CHECK(nrd_uri_field_writable("sysx") == 0);
        CHECK(nrd_uri_field_writable("a/sys") == 0);
        CHECK(nrd_uri_field_writable("Sys/x") == 0);

        CHECK(nrd_uri_field_writable("sys/x") == NEREID_EINVALID);
        CHECK_STR(nereid_error_last(), "field sys/x: sys/ is read-only");
        CHECK(nrd_uri_field_writable("sys/id") == NEREID_EINVALID);
        CHECK(nrd_uri_field_writable("sys") == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "read-only") != NULL);
        CHECK(nrd_uri_field_writable("sys//x") == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "empty segment") != NULL);
        CHECK(nrd_uri_field_writable("") == NEREID_EINVALID);
}

static void test_run_ids(void)
{
        static const char *const good[] = {"CLS-45", "AB-1", "ABCDEFGHIJ-123",
                                           "XY-999999999999999999", "CLS-10"};
        static const char *const bad[] = {"",
                                          "A-1",
                                          "ABCDEFGHIJK-1",
                                          "CLS-0",
                                          "CLS-01",
                                          "cls-1",
                                          "Cls-1",
                                          "CLS-",
                                          "CLS45",
                                          "CLS-1x",
                                          "CLS--1",
                                          "CLS-+1",
                                          "CLS-45 ",
                                          " CLS-45",
                                          "-45",
                                          "C1S-4",
                                          "XY-1000000000000000000",
                                          "CLS-45:x"};
        size_t i;

        for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                CHECK(nrd_uri_check_run_id(good[i]) == 0);
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                int rc = nrd_uri_check_run_id(bad[i]);

                if (rc != NEREID_EINVALID)
                        fprintf(stderr, "run ID \"%s\" accepted\n", bad[i]);
                CHECK(rc == NEREID_EINVALID);
        }
        CHECK(nrd_uri_check_run_id(NULL) == NEREID_EINVALID);
        CHECK(nrd_uri_check_run_id("cls-4") == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "run \"cls-4\"") != NULL);
}

static void test_projects(void)
{
        CHECK(nrd_uri_check_project_key("CLS") == 0);
        CHECK(nrd_uri_check_project_key("AB") == 0);
        CHECK(nrd_uri_check_project_key("ABCDEFGHIJ") == 0);
        CHECK(nrd_uri_check_project_key("A") == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_key("ABCDEFGHIJK") == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_key("Cls") == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_key("C1") == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_key("") == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_key(NULL) == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_key("AB-") == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "project key \"AB-\"") != NULL);

        CHECK(nrd_uri_check_project_name("ml-team/classification") == 0);
        CHECK(nrd_uri_check_project_name("a/b") == 0);
        CHECK(nrd_uri_check_project_name("A_1.x/y-2") == 0);
        CHECK(nrd_uri_check_project_name("a") == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_name("a/b/c") == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_name("/a") == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_name("a/") == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_name("a//b") == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_name("a b/c") == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_name("") == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_name(NULL) == NEREID_EINVALID);
        CHECK(nrd_uri_check_project_name("ws/é") == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "project \"ws/é\"") != NULL);
}

static void check_ref(const char *text, int require_run, const char *want_run,
                      const char *want_field)
{
        char *run = (char *)"x", *field = (char *)"x";
        int rc = nrd_uri_parse_ref(text, require_run, &run, &field);

        if (!want_field) {
                if (rc != NEREID_EINVALID)
                        fprintf(stderr, "reference \"%s\" accepted\n", text);
                CHECK(rc == NEREID_EINVALID);
                CHECK(run == NULL && field == NULL);
                return;
        }
        if (rc < 0)
                fprintf(stderr, "reference \"%s\": %s\n", text, nereid_error_last());
        CHECK(rc == 0);
        if (want_run)
                CHECK_STR(run, want_run);
        else
                CHECK(run == NULL);
        CHECK_STR(field, want_field);
        free(run);
        free(field);
}

static void test_refs(void)
{
        char *run, *field;

        check_ref("CLS-45:data_versions/train", 1, "CLS-45", "data_versions/train");
        check_ref("CLS-45:data_versions/train", 0, "CLS-45", "data_versions/train");
        check_ref("AB-1:sys/id", 1, "AB-1", "sys/id");
        check_ref("data_versions/train", 0, NULL, "data_versions/train");
        check_ref("data_versions/train", 1, NULL, NULL);
        check_ref("CLS-45:a:b", 1, NULL, NULL); /* split at the first ':' */
        check_ref("CLS-45:", 1, NULL, NULL);
        check_ref(":field", 0, NULL, NULL);
        check_ref("cls-45:field", 1, NULL, NULL);
        check_ref("CLS-045:field", 1, NULL, NULL);
        check_ref("CLS-45:a//b", 1, NULL, NULL);
        check_ref("a//b", 0, NULL, NULL);
        check_ref("x/y:z", 0, NULL, NULL);
        check_ref("", 0, NULL, NULL);
        check_ref("", 1, NULL, NULL);
        check_ref(NULL, 0, NULL, NULL);

        CHECK(nrd_uri_parse_ref("train", 1, &run, &field) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "reference \"train\": expected RUN:FIELD") != NULL);
        CHECK(nrd_uri_parse_ref("CLS-45:a:b", 1, &run, &field) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "field \"a:b\"") != NULL);
        CHECK(nrd_uri_parse_ref("CL-S:x", 1, &run, &field) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "run \"CL-S\"") != NULL);
}

static void test_safe_relative(void)
{
        /* '\\' is an ordinary character of a name on POSIX (SPEC section 4):
         * only '/' separates, so "..\\x" is one harmless name. */
        static const char *const safe[] = {
            "a",     "a/b",      "a.b/c..d", "...", ".hidden",  "a/.b/c.", "données/é.txt",
            "C:/x",  "a b",      "a\\b",     "\\a", "a\\..\\b", "..\\x",   "\\",
            "x/\\.", "C:\\x\\y", "a/.\\/b"};
        static const char *const unsafe[] = {
            "",     "/a",    "a/",      "a//b",    "./a",     "a/./b", ".",         "..",
            "../a", "a/..",  "a/../b",  "a/b/",    "/",       "//",    "a\\b/../c", "a\\/..",
            "\\/.", "/a\\b", "a\\b//c", "\\/../x", "x/\\/..", "/\\"};
        size_t i;

        for (i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
                CHECK(nrd_uri_is_safe_relative(safe[i]) == 1);
        for (i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++) {
                if (nrd_uri_is_safe_relative(unsafe[i]))
                        fprintf(stderr, "\"%s\" taken as safe\n", unsafe[i]);
                CHECK(nrd_uri_is_safe_relative(unsafe[i]) == 0);
        }
        CHECK(nrd_uri_is_safe_relative(NULL) == 0);
}

static void check_escape(const char *s, int keep_slash, const char *want)
{
        char *got = nrd_uri_escape(s, keep_slash);

        CHECK_STR(got, want);
        free(got);
}

static void test_escape(void)
{
        check_escape("", 1, "");
        check_escape("abcXYZ019-_.~", 0, "abcXYZ019-_.~");
        check_escape("a b/c~d", 1, "a%20b/c~d");
        check_escape("a b/c~d", 0, "a%20b%2Fc~d");
        check_escape("é", 1, "%C3%A9");
        check_escape("données/é.txt", 1, "donn%C3%A9es/%C3%A9.txt");
        check_escape("+=&?#%:@!*'()", 1, "%2B%3D%26%3F%23%25%3A%40%21%2A%27%28%29");
        check_escape("\x01\x7f\xff", 0, "%01%7F%FF");
        check_escape("//", 1, "//");
        check_escape("//", 0, "%2F%2F");
}

int main(void)
{
        test_fields();
        test_writable();
        test_run_ids();
        test_projects();
        test_refs();
        test_safe_relative();
        test_escape();
        return CHECK_DONE();
}
