/*
 * test_source_location.c - unit tests of the syntax the source drivers own
 * (src/source/local_location.c, s3_location.c, through source.c's
 * dispatch by scheme): track paths (local, ~, file:// in POSIX and Windows
 * forms, percent escapes, s3://, wildcards, unknown schemes).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "error.h"
#include "source/source.h"

/* What "~" stands for in the paths parsed (the project's home option). */
static const char *home_for_test = "/home/tester";

/* Parse text as a local location; the path, or NULL on failure (caller frees). */
static char *local_path(const char *text)
{
        source_location loc;
        char *path;

        if (nrd_source_parse_location(text, home_for_test, &loc) < 0)
                return NULL;
        if (loc.driver != &nrd_source_local || loc.host) {
                nrd_source_location_clear(&loc);
                return NULL;
        }
        path = loc.path;
        loc.path = NULL;
        nrd_source_location_clear(&loc);
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

/* Check that text fails with NEREID_EINVALID and a message containing part. */
static void check_bad_location(const char *text, const char *part, int line)
{
        source_location loc;
        int rc = nrd_source_parse_location(text, home_for_test, &loc);

        if (rc != NEREID_EINVALID || !strstr(nereid_error_last(), part))
                fprintf(stderr, "line %d: \"%s\" gave %d \"%s\", want \"%s\"\n", line,
                        text ? text : "(null)", rc, nereid_error_last(), part);
        CHECK(rc == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), part) != NULL);
        CHECK(loc.driver == NULL && loc.path == NULL && loc.host == NULL);
        nrd_source_location_clear(&loc);
}

static void check_s3(const char *text, const char *bucket, const char *key)
{
        source_location loc;
        int rc = nrd_source_parse_location(text, home_for_test, &loc);

        CHECK(rc == 0);
        if (rc < 0) {
                fprintf(stderr, "\"%s\": %s\n", text, nereid_error_last());
                return;
        }
        CHECK(loc.driver == &nrd_source_s3);
        CHECK_STR(loc.host, bucket);
        CHECK_STR(loc.path, key);
        nrd_source_location_clear(&loc);
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
        /* A relative home is taken from the current directory. */
        home_for_test = "rel/home";
        {
                char cwd[4096], want[4200];

                CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
                snprintf(want, sizeof(want), "%s/rel/home/x", strcmp(cwd, "/") ? cwd : "");
                check_local("~/x", want, __LINE__);
        }
        /* The environment plays no part: only the option does. */
        CHECK(setenv("HOME", "/home/env", 1) == 0);
        home_for_test = "";
        check_bad_location("~/x", "HOME is not set", __LINE__);
        home_for_test = NULL;
        check_bad_location("~", "HOME is not set", __LINE__);
        check_bad_location("~/x", "path \"~/x\": HOME is not set", __LINE__);
        home_for_test = "/home/tester";
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

int main(void)
{
        test_absolute();
        test_relative();
        test_home();
        test_file_uri();
        test_windows_forms();
        test_s3();
        test_bad_locations();
        return CHECK_DONE();
}
