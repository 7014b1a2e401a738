/*
 * test_uri.c - unit tests of src/uri.c: track paths (local, ~, file:// in
 * POSIX and Windows forms, percent escapes, s3://, wildcards), field paths,
 * run IDs, project keys and names, RUN:FIELD references, the safe-relative
 * check and percent-encoding.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "error.h"
#include "uri.h"

/* What "~" stands for in the paths parsed (the project's home option). */
static const char *home_for_test;

/* Parse text as a local location; the path, or NULL on failure (caller frees). */
static char *local_path(const char *text)
{
        uri_location loc;
        char *path;

        if (uri_parse_location(text, home_for_test, &loc) < 0)
                return NULL;
        if (loc.scheme != URI_LOCAL || loc.bucket || loc.key) {
                uri_location_clear(&loc);
                return NULL;
        }
        path = loc.path;
        loc.path = NULL;
        uri_location_clear(&loc);
        return path;
}

/* Check that text parses as the local path want. */
static void check_local(const char *text, const char *want, int line)
{
        char *got = local_path(text);

        if (!got || strcmp(got, want) != 0)
                fprintf(stderr, "line %d: \"%s\" gave \"%s\" (%s)\n", line, text,
                        got ? got : "(error)", nereid_error_last());
        CHECK_STR(got, want);
        free(got);
}

/* Check that text fails with NEREID_EUSAGE and a message containing part. */
static void check_bad_location(const char *text, const char *part, int line)
{
        uri_location loc;
        int rc = uri_parse_location(text, home_for_test, &loc);

        if (rc != NEREID_EUSAGE || !strstr(nereid_error_last(), part))
                fprintf(stderr, "line %d: \"%s\" gave %d \"%s\", want \"%s\"\n", line,
                        text ? text : "(null)", rc, nereid_error_last(), part);
        CHECK(rc == NEREID_EUSAGE);
        CHECK(strstr(nereid_error_last(), part) != NULL);
        CHECK(loc.path == NULL && loc.bucket == NULL && loc.key == NULL);
        uri_location_clear(&loc);
}

static void check_s3(const char *text, const char *bucket, const char *key)
{
        uri_location loc;
        int rc = uri_parse_location(text, home_for_test, &loc);

        CHECK(rc == 0);
        if (rc < 0) {
                fprintf(stderr, "\"%s\": %s\n", text, nereid_error_last());
                return;
        }
        CHECK(loc.scheme == URI_S3);
        CHECK(loc.path == NULL);
        CHECK_STR(loc.bucket, bucket);
        CHECK_STR(loc.key, key);
        uri_location_clear(&loc);
}

static void test_absolute(void)
{
        check_local("/", "/", __LINE__);
        check_local("/a", "/a", __LINE__);
        check_local("/a/", "/a", __LINE__);
        check_local("//a//b///c//", "/a/b/c", __LINE__);
        check_local("/a/./b/.", "/a/b", __LINE__);
        check_local("/a/b/../c", "/a/c", __LINE__);
        check_local("/a/b/../../..", "/", __LINE__);
        check_local("/../../x", "/x", __LINE__);
        check_local("/..", "/", __LINE__);
        check_local("/a/.../b", "/a/.../b", __LINE__);
        check_local("/a/..b/.c", "/a/..b/.c", __LINE__);
        check_local("/données/é.txt", "/données/é.txt", __LINE__);
        check_local("/a\\b", "/a\\b", __LINE__); /* a backslash is a file name byte on POSIX */
        check_local("/data/#1", "/data/#1", __LINE__);
}

static void test_relative(void)
{
        const char *base = getenv("NEREID_TEST_TMP");
        char tmpl[4096], cwd[4096], parent[4096], want[4200], *old = getcwd(NULL, 0), *slash;

        if (!base || !base[0])
                base = getenv("TMPDIR");
        if (!base || !base[0])
                base = "/tmp";
        mkdir(base, 0700); /* may exist already */
        snprintf(tmpl, sizeof(tmpl), "%s/uri-XXXXXX", base);
        CHECK(old != NULL);
        CHECK(mkdtemp(tmpl) != NULL);
        CHECK(chdir(tmpl) == 0);
        /* getcwd may differ from tmpl when /tmp is a symbolic link: compare with it. */
        CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
        strcpy(parent, cwd);
        slash = strrchr(parent, '/');
        if (slash == parent)
                slash[1] = '\0';
        else if (slash)
                *slash = '\0';

        check_local(".", cwd, __LINE__);
        check_local("./", cwd, __LINE__);
        check_local("..", parent, __LINE__);
        snprintf(want, sizeof(want), "%s/data/train", cwd);
        check_local("data/train", want, __LINE__);
        check_local("data//train/", want, __LINE__);
        check_local("./data/x/../train", want, __LINE__);
        snprintf(want, sizeof(want), "%s/x", parent);
        check_local("../x", want, __LINE__);
        check_local("../../../../../../../../../../../../../../x", "/x", __LINE__);
        /* "~user" is not expanded: it is a relative name like any other. */
        snprintf(want, sizeof(want), "%s/~bob/x", cwd);
        check_local("~bob/x", want, __LINE__);
        /* A Windows path outside file:// is just a relative name on POSIX. */
        snprintf(want, sizeof(want), "%s/C:\\data", cwd);
        check_local("C:\\data", want, __LINE__);

        CHECK(chdir(old ? old : "/") == 0);
        CHECK(rmdir(tmpl) == 0);
        free(old);
}

static void test_home(void)
{
        /* The home comes from the options, never from the environment. */
        CHECK(setenv("HOME", "/home/env", 1) == 0);
        home_for_test = "/home/ana";
        check_local("~", "/home/ana", __LINE__);
        check_local("~/", "/home/ana", __LINE__);
        check_local("~/data/x.csv", "/home/ana/data/x.csv", __LINE__);
        check_local("~/../bo", "/home/bo", __LINE__);
        home_for_test = "/home/ana//";
        check_local("~/x", "/home/ana/x", __LINE__);
        home_for_test = "/";
        check_local("~/x", "/x", __LINE__);
        check_local("~", "/", __LINE__);
        /* A relative HOME is taken from the current directory. */
        home_for_test = "rel/home";
        {
                char cwd[4096], want[4200];

                CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
                snprintf(want, sizeof(want), "%s/rel/home/x", strcmp(cwd, "/") ? cwd : "");
                check_local("~/x", want, __LINE__);
        }
        home_for_test = "";
        check_bad_location("~/x", "HOME is not set", __LINE__);
        home_for_test = NULL;
        check_bad_location("~", "HOME is not set", __LINE__);
        check_bad_location("~/x", "path \"~/x\": HOME is not set", __LINE__);
}

static void test_file_uri(void)
{
        check_local("file:///abs/path", "/abs/path", __LINE__);
        check_local("FILE:///abs/path", "/abs/path", __LINE__);
        check_local("file:///", "/", __LINE__);
        check_local("file:/abs/p", "/abs/p", __LINE__);
        check_local("file://localhost/abs", "/abs", __LINE__);
        check_local("file://LocalHost/abs", "/abs", __LINE__);
        check_local("file:///a/./b/../c/", "/a/c", __LINE__);
        check_local("file:///a\\b\\c", "/a/b/c", __LINE__);
        check_local("file:///../..", "/", __LINE__);

        /* Percent escapes are decoded, after the backslashes became '/'. */
        check_local("file:///data/my%20file.txt", "/data/my file.txt", __LINE__);
        check_local("file:///donn%C3%A9es/%c3%a9.txt", "/données/é.txt", __LINE__);
        check_local("file:///données/é.txt", "/données/é.txt", __LINE__);
        check_local("file:///a%2Fb", "/a/b", __LINE__);
        check_local("file:///a%5Cb", "/a\\b", __LINE__);
        check_local("file:///a%25b", "/a%b", __LINE__);
        check_local("file:///a%2A", "/a*", __LINE__); /* an escaped '*' is a literal name */
        check_local("file:///a/%2e%2e/b", "/b", __LINE__);
        check_local("file:///a%2e%2e/b", "/a../b", __LINE__);

        check_bad_location("file:///a%", "bad percent escape \"%\"", __LINE__);
        check_bad_location("file:///a%4", "bad percent escape \"%4\"", __LINE__);
        check_bad_location("file:///a%zz", "bad percent escape \"%zz\"", __LINE__);
        check_bad_location("file:///a%00b", "%00", __LINE__);
        check_bad_location("file://", "no path", __LINE__);
        check_bad_location("file://localhost", "no path", __LINE__);
        check_bad_location("file:relative/x", "absolute path", __LINE__);
        check_bad_location("file:", "absolute path", __LINE__);
        check_bad_location("file://server/share/x", "file:// host \"server\" is not supported",
                           __LINE__);
        check_bad_location("file://c:relative", "host", __LINE__);
}

static void test_windows_forms(void)
{
        char *a = local_path("file://c:/a\\b");
        char *b = local_path("file:///C:/a/b");

        CHECK(a != NULL && b != NULL);
        CHECK_STR(a, b);
        CHECK_STR(a, "/C:/a/b");
        free(a);
        free(b);
        check_local("file:///c:\\a\\b", "/C:/a/b", __LINE__);
        check_local("file://C:\\a\\b\\", "/C:/a/b", __LINE__);
        check_local("file://c:/a/b/../../../..", "/C:", __LINE__);
        check_local("file:///C:/../x", "/C:/x", __LINE__);
        check_local("file:///C:", "/C:", __LINE__);
        check_local("file://c:", "/C:", __LINE__);
        check_local("file://c:/", "/C:", __LINE__);
        check_local("file:///z:/Users/ana/My%20Data", "/Z:/Users/ana/My Data", __LINE__);
        /* Not a drive: "C:foo" is an ordinary name. */
        check_local("file:///C:foo/x", "/C:foo/x", __LINE__);
        check_local("file:///CD:/x", "/CD:/x", __LINE__);
}

static void test_s3(void)
{
        check_s3("s3://bucket", "bucket", "");
        check_s3("s3://bucket/", "bucket", "");
        check_s3("s3://bucket/data", "bucket", "data");
        check_s3("s3://bucket/data/", "bucket", "data/");
        check_s3("s3://b/p//x/./y/../z", "b", "p//x/./y/../z");
        check_s3("s3://b//", "b", "/");
        check_s3("s3://b/a%20b", "b", "a%20b");
        check_s3("s3://b/a\\b", "b", "a\\b");
        check_s3("s3://kuiper/path/données/é.txt", "kuiper", "path/données/é.txt");
        check_s3("S3://my.bucket-1_x/k", "my.bucket-1_x", "k");

        check_bad_location("s3://", "no bucket name", __LINE__);
        check_bad_location("s3:///key", "no bucket name", __LINE__);
        check_bad_location("s3://bad bucket/x", "bad bucket name \"bad bucket\"", __LINE__);
        check_bad_location("s3://b:1/x", "bad bucket name", __LINE__);
}

static void test_bad_locations(void)
{
        check_bad_location("", "empty", __LINE__);
        check_bad_location(NULL, "empty", __LINE__);
        check_bad_location("data/*.csv", "path \"data/*.csv\": wildcards are not supported",
                           __LINE__);
        check_bad_location("data/?.csv", "wildcards are not supported", __LINE__);
        check_bad_location("/a/b*", "wildcards are not supported", __LINE__);
        check_bad_location("~/*", "wildcards are not supported", __LINE__);
        check_bad_location("file:///a/*.csv", "wildcards are not supported", __LINE__);
        check_bad_location("file:///a?x=1", "wildcards are not supported", __LINE__);
        check_bad_location("s3://b/data/*", "wildcards are not supported", __LINE__);
        check_bad_location("s3://b*/x", "wildcards are not supported", __LINE__);
        check_bad_location("http://example.com/x", "unsupported scheme \"http\"", __LINE__);
        check_bad_location("gs://bucket/x", "unsupported scheme \"gs\"", __LINE__);
        check_bad_location("s4://bucket/x", "unsupported scheme", __LINE__);
}

static void check_field(const char *field, int want_ok, const char *part)
{
        int rc = uri_check_field(field);

        if ((rc == 0) != want_ok)
                fprintf(stderr, "field \"%s\": rc %d (%s)\n", field ? field : "(null)", rc,
                        nereid_error_last());
        CHECK(want_ok ? rc == 0 : rc == NEREID_EUSAGE);
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
        CHECK(uri_field_writable("data_versions/train") == 0);
        CHECK(uri_field_writable("system/x") == 0);
        CHECK(uri_field_writable("sysx") == 0);
        CHECK(uri_field_writable("a/sys") == 0);
        CHECK(uri_field_writable("Sys/x") == 0);

        CHECK(uri_field_writable("sys/x") == NEREID_EUSAGE);
        CHECK_STR(nereid_error_last(), "field sys/x: sys/ is read-only");
        CHECK(uri_field_writable("sys/id") == NEREID_EUSAGE);
        CHECK(uri_field_writable("sys") == NEREID_EUSAGE);
        CHECK(strstr(nereid_error_last(), "read-only") != NULL);
        CHECK(uri_field_writable("sys//x") == NEREID_EUSAGE);
        CHECK(strstr(nereid_error_last(), "empty segment") != NULL);
        CHECK(uri_field_writable("") == NEREID_EUSAGE);
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
                CHECK(uri_check_run_id(good[i]) == 0);
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                int rc = uri_check_run_id(bad[i]);

                if (rc != NEREID_EUSAGE)
                        fprintf(stderr, "run ID \"%s\" accepted\n", bad[i]);
                CHECK(rc == NEREID_EUSAGE);
        }
        CHECK(uri_check_run_id(NULL) == NEREID_EUSAGE);
        CHECK(uri_check_run_id("cls-4") == NEREID_EUSAGE);
        CHECK(strstr(nereid_error_last(), "run \"cls-4\"") != NULL);
}

static void test_projects(void)
{
        CHECK(uri_check_project_key("CLS") == 0);
        CHECK(uri_check_project_key("AB") == 0);
        CHECK(uri_check_project_key("ABCDEFGHIJ") == 0);
        CHECK(uri_check_project_key("A") == NEREID_EUSAGE);
        CHECK(uri_check_project_key("ABCDEFGHIJK") == NEREID_EUSAGE);
        CHECK(uri_check_project_key("Cls") == NEREID_EUSAGE);
        CHECK(uri_check_project_key("C1") == NEREID_EUSAGE);
        CHECK(uri_check_project_key("") == NEREID_EUSAGE);
        CHECK(uri_check_project_key(NULL) == NEREID_EUSAGE);
        CHECK(uri_check_project_key("AB-") == NEREID_EUSAGE);
        CHECK(strstr(nereid_error_last(), "project key \"AB-\"") != NULL);

        CHECK(uri_check_project_name("ml-team/classification") == 0);
        CHECK(uri_check_project_name("a/b") == 0);
        CHECK(uri_check_project_name("A_1.x/y-2") == 0);
        CHECK(uri_check_project_name("a") == NEREID_EUSAGE);
        CHECK(uri_check_project_name("a/b/c") == NEREID_EUSAGE);
        CHECK(uri_check_project_name("/a") == NEREID_EUSAGE);
        CHECK(uri_check_project_name("a/") == NEREID_EUSAGE);
        CHECK(uri_check_project_name("a//b") == NEREID_EUSAGE);
        CHECK(uri_check_project_name("a b/c") == NEREID_EUSAGE);
        CHECK(uri_check_project_name("") == NEREID_EUSAGE);
        CHECK(uri_check_project_name(NULL) == NEREID_EUSAGE);
        CHECK(uri_check_project_name("ws/é") == NEREID_EUSAGE);
        CHECK(strstr(nereid_error_last(), "project \"ws/é\"") != NULL);
}

static void check_ref(const char *text, int require_run, const char *want_run,
                      const char *want_field)
{
        char *run = (char *)"x", *field = (char *)"x";
        int rc = uri_parse_ref(text, require_run, &run, &field);

        if (!want_field) {
                if (rc != NEREID_EUSAGE)
                        fprintf(stderr, "reference \"%s\" accepted\n", text);
                CHECK(rc == NEREID_EUSAGE);
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

        CHECK(uri_parse_ref("train", 1, &run, &field) == NEREID_EUSAGE);
        CHECK(strstr(nereid_error_last(), "reference \"train\": expected RUN:FIELD") != NULL);
        CHECK(uri_parse_ref("CLS-45:a:b", 1, &run, &field) == NEREID_EUSAGE);
        CHECK(strstr(nereid_error_last(), "field \"a:b\"") != NULL);
        CHECK(uri_parse_ref("CL-S:x", 1, &run, &field) == NEREID_EUSAGE);
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
                CHECK(uri_is_safe_relative(safe[i]) == 1);
        for (i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++) {
                if (uri_is_safe_relative(unsafe[i]))
                        fprintf(stderr, "\"%s\" taken as safe\n", unsafe[i]);
                CHECK(uri_is_safe_relative(unsafe[i]) == 0);
        }
        CHECK(uri_is_safe_relative(NULL) == 0);
}

static void check_escape(const char *s, int keep_slash, const char *want)
{
        char *got = uri_escape(s, keep_slash);

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
        test_absolute();
        test_relative();
        test_home();
        test_file_uri();
        test_windows_forms();
        test_s3();
        test_bad_locations();
        test_fields();
        test_writable();
        test_run_ids();
        test_projects();
        test_refs();
        test_safe_relative();
        test_escape();
        return CHECK_DONE();
}
