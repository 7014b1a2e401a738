/*
 * test_source_registry.c - unit tests of the source-driver registry
 * (src/source/source.c) and of what every row promises
 * (docs/internals/source.md): a well-formed const row, one driver per
 * scheme and per record type, locations that format into text parsing back
 * to the same place, record sources read back by the driver of the
 * record's type only, and record checks that belong to the type. Every
 * driver of the table must have its samples below: a new driver fails
 * this test until it has them.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "check.h"
#include "error.h"
#include "record.h"
#include "source/source.h"

/* What "~" stands for in the paths parsed (the project's home option). */
static const char *home_for_test = "/home/tester";

/* What each driver is tested with. */
struct sample {
        const char *name;     /* driver name */
        const char *typed[4]; /* track paths it parses (NULL-terminated) */
        const char *source;   /* a canonical metadata.file_path it writes */
        const char *hash;     /* a file_hash its records may hold */
        const char *host;     /* what parse_source gives for source */
        const char *path;
};

static const struct sample samples[] = {
    {"local",
     {"/data/sets", "file:///d/a%20b/%25c", "file://c:/x\\y", NULL},
     "file:///d/a%20b/c%3Fd",
     "d41d8cd98f00b204e9800998ecf8427e",
     NULL,
     "/d/a b/c?d"},
    {"s3",
     {"s3://bucket", "s3://b/p/x y%20+", "S3://my.bucket-1_x/k/", NULL},
     "s3://bucket/k 100%/é.txt",
     "d41d8cd98f00b204e9800998ecf8427e-2",
     "bucket",
     "k 100%/é.txt"},
};

#define SAMPLE_COUNT (sizeof(samples) / sizeof(samples[0]))

static const struct sample *sample_of(const source_driver *d)
{
        size_t i;

        for (i = 0; i < SAMPLE_COUNT; i++)
                if (strcmp(samples[i].name, d->name) == 0)
                        return &samples[i];
        return NULL;
}

static int same_str(const char *a, const char *b)
{
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void test_rows(void)
{
        size_t n = nrd_source_driver_count(), i, j, bare = 0;

        CHECK(n >= 2);
        CHECK(nrd_source_driver_at(n) == NULL);
        for (i = 0; i < n; i++) {
                const source_driver *d = nrd_source_driver_at(i);
                const char *p;

                CHECK(d != NULL);
                if (!d)
                        continue;
                CHECK(d->version == NEREID_SOURCE_VERSION);
                CHECK(d->name && d->name[0] && d->type && d->type[0]);
                CHECK(d->scheme && d->scheme[0]);
                for (p = d->scheme; p && *p; p++)
                        CHECK((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '+' ||
                              *p == '-' || *p == '.');
                CHECK(d->parse && d->format && d->parse_source && d->check_record && d->scan &&
                      d->fetch);
                /* local_path exactly for drivers of local files. */
                CHECK(!(d->caps & SOURCE_CAP_LOCAL_FILES) == !d->local_path);
                if (d->caps & SOURCE_CAP_BARE_PATHS)
                        bare++;
                CHECK(nrd_source_for_scheme(d->scheme, strlen(d->scheme)) == d);
                CHECK(nrd_source_for_type(d->type) == d);
                for (j = 0; j < i; j++) {
                        const source_driver *e = nrd_source_driver_at(j);

                        CHECK(strcmp(e->name, d->name) != 0);
                        CHECK(strcasecmp(e->scheme, d->scheme) != 0);
                        CHECK(strcmp(e->type, d->type) != 0);
                }
                if (!sample_of(d))
                        fprintf(stderr, "driver %s has no samples in %s\n", d->name, __FILE__);
                CHECK(sample_of(d) != NULL);
        }
        CHECK(bare == 1);
}

static void test_lookups(void)
{
        CHECK(nrd_source_for_scheme("S3", 2) == &nrd_source_s3);
        CHECK(nrd_source_for_scheme("FILE", 4) == &nrd_source_local);
        CHECK(nrd_source_for_scheme("s3x", 2) == &nrd_source_s3); /* the length counts */
        CHECK(nrd_source_for_scheme("s", 1) == NULL);
        CHECK(nrd_source_for_scheme("gs", 2) == NULL);
        CHECK(nrd_source_for_scheme(NULL, 0) == NULL);
        CHECK(nrd_source_for_type("Local") == &nrd_source_local);
        CHECK(nrd_source_for_type("S3") == &nrd_source_s3);
        CHECK(nrd_source_for_type("local") == NULL); /* types are exact */
        CHECK(nrd_source_for_type("s3") == NULL);
        CHECK(nrd_source_for_type(NULL) == NULL);
}

/* parse, format, parse again: the same driver and place. */
static void check_round_trip(const source_driver *d, const char *text)
{
        source_location a, b;
        char *formatted = NULL;

        if (nrd_source_parse_location(text, home_for_test, &a) < 0) {
                fprintf(stderr, "%s: \"%s\": %s\n", d->name, text, nereid_error_last());
                CHECK(0);
                return;
        }
        CHECK(a.driver == d);
        CHECK(!a.exact);
        formatted = nrd_source_format_location(&a);
        CHECK(formatted != NULL);
        CHECK(formatted && !strpbrk(formatted, "*?")); /* never taken for a wildcard */
        if (formatted && nrd_source_parse_location(formatted, home_for_test, &b) == 0) {
                CHECK(b.driver == d);
                CHECK(same_str(a.host, b.host));
                CHECK(same_str(a.path, b.path));
                nrd_source_location_clear(&b);
        } else {
                fprintf(stderr, "%s: \"%s\" formatted as \"%s\" does not parse back\n", d->name,
                        text, formatted ? formatted : "(null)");
                CHECK(0);
        }
        free(formatted);
        nrd_source_location_clear(&a);
}

static void test_round_trips(void)
{
        size_t i, k;

        for (i = 0; i < nrd_source_driver_count(); i++) {
                const source_driver *d = nrd_source_driver_at(i);
                const struct sample *s = sample_of(d);

                for (k = 0; s && s->typed[k]; k++)
                        check_round_trip(d, s->typed[k]);
        }
}

static struct nereid_file record_of(const char *type, const char *hash, const char *source)
{
        struct nereid_file f = {0};

        f.file_path = (char *)"dir/x";
        f.type = (char *)type;
        f.file_hash = (char *)hash;
        f.source = (char *)source;
        return f;
}

/* A record's source is read by the driver of its type, and formats back
 * into itself; any other driver's source is refused by that driver. */
static void test_record_sources(void)
{
        size_t i, j;

        for (i = 0; i < nrd_source_driver_count(); i++) {
                const source_driver *d = nrd_source_driver_at(i);
                const struct sample *s = sample_of(d);
                struct nereid_file f;
                source_location loc;
                char *formatted;

                if (!s)
                        continue;
                f = record_of(d->type, s->hash, s->source);
                CHECK(nrd_source_check_record(&f, "t") == 0);
                CHECK(nrd_source_location_of_record(&f, &loc) == 0);
                CHECK(loc.driver == d);
                CHECK(loc.exact == 1);
                CHECK(same_str(loc.host, s->host));
                CHECK_STR(loc.path, s->path);
                formatted = loc.driver ? nrd_source_format_location(&loc) : NULL;
                CHECK_STR(formatted, s->source);
                free(formatted);
                nrd_source_location_clear(&loc);

                for (j = 0; j < nrd_source_driver_count(); j++) {
                        const struct sample *other = sample_of(nrd_source_driver_at(j));

                        if (j == i || !other)
                                continue;
                        /* This type with another driver's source. */
                        f = record_of(d->type, s->hash, other->source);
                        CHECK(nrd_source_location_of_record(&f, &loc) < 0);
                        CHECK(loc.driver == NULL && loc.host == NULL && loc.path == NULL);
                        nrd_source_location_clear(&loc);
                        CHECK(nrd_source_check_record(&f, "t") == NEREID_EINVALID);
                        CHECK(strncmp(nereid_error_last(), "t: metadata.file_path", 21) == 0);
                }
        }
}

static void test_unknown(void)
{
        struct nereid_file f = record_of("GCS", "abc", "gs://b/x");
        source_location loc;
        size_t i;

        CHECK(nrd_source_check_record(&f, "t") == NEREID_EINVALID);
        CHECK_STR(nereid_error_last(), "t: type \"GCS\" is not \"Local\" or \"S3\"");
        CHECK(nrd_source_location_of_record(&f, &loc) < 0);
        nrd_source_location_clear(&loc);
        f = record_of(NULL, "abc", NULL);
        CHECK(nrd_source_check_record(&f, "t") == NEREID_EINVALID);

        /* The message of an unknown scheme names every driver's. */
        CHECK(nrd_source_parse_location("gs://b/x", home_for_test, &loc) == NEREID_EINVALID);
        CHECK_STR(nereid_error_last(),
                  "path \"gs://b/x\": unsupported scheme \"gs\" (use a local path, file:// or "
                  "s3://)");
        for (i = 0; i < nrd_source_driver_count(); i++)
                CHECK(strstr(nereid_error_last(), nrd_source_driver_at(i)->scheme) != NULL);
        nrd_source_location_clear(&loc);

        /* "scheme:" without "//" is the driver's only when it says so. */
        CHECK(nrd_source_parse_location("s3:x", home_for_test, &loc) == 0);
        CHECK(loc.driver == &nrd_source_local);
        nrd_source_location_clear(&loc);
        CHECK(nrd_source_parse_location("file:x", home_for_test, &loc) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "absolute path") != NULL);
        nrd_source_location_clear(&loc);
}

int main(void)
{
        test_rows();
        test_lookups();
        test_round_trips();
        test_record_sources();
        test_unknown();
        return CHECK_DONE();
}
