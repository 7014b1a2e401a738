/*
 * reverse.c - the reverse lookups of SPEC section 7 (`used-by`,
 * `find-file`) and their typed result, nereid_refs: which fields hold an
 * artifact, which fields' artifacts have a file with a given hash. The
 * store answers from its indexes (nrd_store_field_users, nrd_store_file_find);
 * this checks the input and keeps the answer. Not for printing (cli/).
 */
#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "error.h"
#include "hash.h"
#include "project.h"

/* The project that reads as empty before its first run (project.c). */
#define REVERSE_BUILTIN_PROJECT "local/sandbox"
/* A file hash: an MD5 (32 hex digits) or a multipart ETag "MD5-N". */
#define REVERSE_MD5_LEN  32
#define REVERSE_HASH_MAX 48

struct refs_item {
        char *run;
        char *field;
        char *file_path; /* NULL for used-by */
};

struct nereid_refs {
        struct refs_item *items;
        size_t count;
        size_t cap;
};

static int refs_push(void *payload, const char *run_id, const char *field, const char *file_path)
{
        nereid_refs *refs = payload;
        struct refs_item *item;

        if (refs->count == refs->cap) {
                size_t cap = refs->cap ? refs->cap * 2 : 16;
                struct refs_item *grown;

                if (cap > SIZE_MAX / sizeof(*grown))
                        return nrd_error_oom();
                if (!(grown = nrd_realloc_array(refs->items, cap, sizeof(*grown))))
                        return nrd_error_oom();
                refs->items = grown;
                refs->cap = cap;
        }
        item = &refs->items[refs->count];
        item->run = nrd_strdup(run_id);
        item->field = nrd_strdup(field);
        item->file_path = file_path ? nrd_strdup(file_path) : NULL;
        refs->count++;
        if (!item->run || !item->field || (file_path && !item->file_path))
                return NEREID_ERROR;
        return 0;
}

void nereid_refs_free(nereid_refs *refs)
{
        size_t i;

        if (!refs)
                return;
        for (i = 0; i < refs->count; i++) {
                free(refs->items[i].run);
                free(refs->items[i].field);
                free(refs->items[i].file_path);
        }
        free(refs->items);
        free(refs);
}

size_t nereid_refs_count(const nereid_refs *refs)
{
        return refs ? refs->count : 0;
}

static const struct refs_item *refs_item(const nereid_refs *refs, size_t i)
{
        return refs && i < refs->count ? &refs->items[i] : NULL;
}

const char *nereid_refs_run(const nereid_refs *refs, size_t i)
{
        const struct refs_item *item = refs_item(refs, i);

        return item ? item->run : NULL;
}

const char *nereid_refs_field(const nereid_refs *refs, size_t i)
{
        const struct refs_item *item = refs_item(refs, i);

        return item ? item->field : NULL;
}

const char *nereid_refs_file_path(const nereid_refs *refs, size_t i)
{
        const struct refs_item *item = refs_item(refs, i);

        return item ? item->file_path : NULL;
}

/* Hand *refs to out, or free it on failure. */
static int refs_finish(nereid_refs **out, nereid_refs *refs, int rc)
{
        if (rc < 0) {
                nereid_refs_free(refs);
                return rc;
        }
        *out = refs;
        return 0;
}

int nereid_project_used_by(nereid_refs **out, nereid_project *project, const char *hash)
{
        nereid_refs *refs;
        int rc;

        nrd_error_clear();
        assert(out && project && hash);
        *out = NULL;
        if (!nrd_hash_is_sha256(hash))
                return nrd_error(NEREID_EINVALID, "%s: not an artifact hash (64 lowercase hex)",
                                 hash);
        if (!(refs = nrd_calloc(1, sizeof(*refs))))
                return NEREID_ERROR;
        rc = nrd_store_field_users(project->store, project->name, hash, refs_push, refs);
        /* A project not made yet has no artifact: say which was looked for. */
        if (rc == NEREID_ENOTFOUND && !project->exists)
                rc = nrd_error(NEREID_ENOTFOUND, "artifact %s: not found in project %s", hash,
                               project->name);
        return refs_finish(out, refs, rc);
}

/* The canonical spelling of a file hash (hex digits in lower case), or
 * EINVALID: 32 hex digits, optionally "-N" (a multipart ETag). */
static int reverse_file_hash(const char *in, char out[REVERSE_HASH_MAX + 1])
{
        size_t n = strlen(in), i;
        int ok = n <= REVERSE_HASH_MAX;

        /* Stops at the NUL of a shorter string. */
        for (i = 0; ok && i < REVERSE_MD5_LEN; i++)
                ok = isxdigit((unsigned char)in[i]);
        if (ok && in[REVERSE_MD5_LEN]) {
                ok = in[REVERSE_MD5_LEN] == '-' && in[REVERSE_MD5_LEN + 1];
                for (i = REVERSE_MD5_LEN + 1; ok && in[i]; i++)
                        ok = isdigit((unsigned char)in[i]);
        }
        if (!ok)
                return nrd_error(NEREID_EINVALID,
                                 "%s: not a file hash (an MD5: 32 hex digits, or an S3 ETag "
                                 "MD5-N)",
                                 in);
        for (i = 0; i < n; i++)
                out[i] = (char)tolower((unsigned char)in[i]);
        out[n] = '\0';
        return 0;
}

int nereid_project_find_file(nereid_refs **out, nereid_project *project, const char *file_hash)
{
        char hash[REVERSE_HASH_MAX + 1];
        nereid_refs *refs;
        int rc;

        nrd_error_clear();
        assert(out && project && file_hash);
        *out = NULL;
        if ((rc = reverse_file_hash(file_hash, hash)) < 0)
                return rc;
        if (!(refs = nrd_calloc(1, sizeof(*refs))))
                return NEREID_ERROR;
        rc = nrd_store_file_find(project->store, project->name, hash, refs_push, refs);
        /* The built-in project needs no setup: before its first run it is empty. */
        if (rc == NEREID_ENOTFOUND && !project->exists &&
            strcmp(project->name, REVERSE_BUILTIN_PROJECT) == 0) {
                nrd_error_clear();
                rc = 0;
        }
        return refs_finish(out, refs, rc);
}
