/*
 * lists.c - the runs table and the fields of a run as typed lists, so no
 * value is ever passed as tab/newline text that a name could break. Only
 * the data and its accessors; what fills them is project.c and run.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "error.h"
#include "lists.h"

struct nereid_runs {
        store_run_info *items; /* the runs, oldest first */
        size_t count;          /* items in use */
        size_t cap;            /* items allocated */
};

/* One field of a run: its path and its value (a sys/ value or a hash). */
struct fields_item {
        char *path;  /* e.g. "sys/name", "data_versions/train" */
        char *value; /* the value as text */
};

struct nereid_fields {
        struct fields_item *items; /* sys/ first, then artifact fields by path */
        size_t count;              /* items in use */
        size_t cap;                /* items allocated */
};

/* Make room for one more item of size bytes in *items. */
static int lists_grow(void **items, size_t *cap, size_t count, size_t size)
{
        size_t n = *cap ? *cap * 2 : 16;
        void *grown;

        if (count < *cap)
                return 0;
        if (n > SIZE_MAX / size)
                return nrd_error_oom();
        if (!(grown = nrd_realloc_array(*items, n, size)))
                return nrd_error_oom();
        *items = grown;
        *cap = n;
        return 0;
}

nereid_runs *nrd_runs_new(void)
{
        return nrd_calloc(1, sizeof(nereid_runs));
}

int nrd_runs_push(nereid_runs *runs, const store_run_info *info)
{
        store_run_info *item;
        int rc;

        if ((rc = lists_grow((void **)&runs->items, &runs->cap, runs->count,
                             sizeof(*runs->items))) < 0)
                return rc;
        item = &runs->items[runs->count];
        if (nrd_store_run_info_copy(item, info) < 0)
                return NEREID_ERROR;
        runs->count++;
        return 0;
}

size_t nereid_runs_count(const nereid_runs *runs)
{
        return runs ? runs->count : 0;
}

static const store_run_info *runs_item(const nereid_runs *runs, size_t i)
{
        return runs && i < runs->count ? &runs->items[i] : NULL;
}

const char *nereid_runs_id(const nereid_runs *runs, size_t i)
{
        const store_run_info *r = runs_item(runs, i);

        return r ? r->id : NULL;
}

const char *nereid_runs_name(const nereid_runs *runs, size_t i)
{
        const store_run_info *r = runs_item(runs, i);

        return r ? r->name : NULL;
}

const char *nereid_runs_owner(const nereid_runs *runs, size_t i)
{
        const store_run_info *r = runs_item(runs, i);

        return r ? r->owner : NULL;
}

const char *nereid_runs_creation_time(const nereid_runs *runs, size_t i)
{
        const store_run_info *r = runs_item(runs, i);

        return r ? r->creation_time : NULL;
}

const char *nereid_runs_modification_time(const nereid_runs *runs, size_t i)
{
        const store_run_info *r = runs_item(runs, i);

        return r ? r->modification_time : NULL;
}

const char *nereid_runs_uuid(const nereid_runs *runs, size_t i)
{
        const store_run_info *r = runs_item(runs, i);

        return r && r->uuid[0] ? r->uuid : NULL;
}

const char *nereid_runs_custom_run_id(const nereid_runs *runs, size_t i)
{
        const store_run_info *r = runs_item(runs, i);

        return r ? r->custom_run_id : NULL;
}

const char *nereid_runs_description(const nereid_runs *runs, size_t i)
{
        const store_run_info *r = runs_item(runs, i);

        return r ? (r->description ? r->description : "") : NULL;
}

size_t nereid_runs_tag_count(const nereid_runs *runs, size_t i)
{
        const store_run_info *r = runs_item(runs, i);

        return r ? r->ntags : 0;
}

const char *nereid_runs_tag(const nereid_runs *runs, size_t i, size_t j)
{
        const store_run_info *r = runs_item(runs, i);

        return r && j < r->ntags ? r->tags[j] : NULL;
}

void nereid_runs_free(nereid_runs *runs)
{
        size_t i;

        if (!runs)
                return;
        for (i = 0; i < runs->count; i++)
                nrd_store_run_info_clear(&runs->items[i]);
        free(runs->items);
        free(runs);
}

nereid_fields *nrd_fields_new(void)
{
        return nrd_calloc(1, sizeof(nereid_fields));
}

int nrd_fields_push(nereid_fields *fields, const char *path, const char *value)
{
        struct fields_item *item;
        int rc;

        if ((rc = lists_grow((void **)&fields->items, &fields->cap, fields->count,
                             sizeof(*fields->items))) < 0)
                return rc;
        item = &fields->items[fields->count];
        item->path = nrd_strdup(path);
        item->value = nrd_strdup(value ? value : "");
        if (!item->path || !item->value) {
                free(item->path);
                free(item->value);
                return NEREID_ERROR;
        }
        fields->count++;
        return 0;
}

size_t nereid_fields_count(const nereid_fields *fields)
{
        return fields ? fields->count : 0;
}

const char *nereid_fields_path(const nereid_fields *fields, size_t i)
{
        return fields && i < fields->count ? fields->items[i].path : NULL;
}

const char *nereid_fields_value(const nereid_fields *fields, size_t i)
{
        return fields && i < fields->count ? fields->items[i].value : NULL;
}

void nereid_fields_free(nereid_fields *fields)
{
        size_t i;

        if (!fields)
                return;
        for (i = 0; i < fields->count; i++) {
                free(fields->items[i].path);
                free(fields->items[i].value);
        }
        free(fields->items);
        free(fields);
}
