/*
 * projects.c - the list of the projects of a store (nereid project list):
 * a typed list with accessors, read through the store seam. Not for one
 * project's handle or its runs (project.c).
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "error.h"
#include "project.h"
#include "store/store.h"

struct projects_entry {
        char *name;    /* "workspace/project" */
        char key[16];  /* the run-ID key */
        uint64_t runs; /* how many runs the project has */
};

struct nereid_projects {
        struct projects_entry *items;
        size_t count, cap;
};

static int projects_push(void *payload, const char *name, const char *key, uint64_t runs)
{
        nereid_projects *list = payload;
        struct projects_entry *e;

        if (list->count == list->cap) {
                size_t cap = list->cap ? list->cap * 2 : 8;
                struct projects_entry *grown;

                if (cap > SIZE_MAX / sizeof(*e))
                        return nrd_error_oom();
                if (!(grown = nrd_realloc_array(list->items, cap, sizeof(*e))))
                        return nrd_error_oom();
                list->items = grown;
                list->cap = cap;
        }
        e = &list->items[list->count];
        if (!(e->name = nrd_strdup(name)))
                return NEREID_ERROR;
        snprintf(e->key, sizeof(e->key), "%s", key);
        e->runs = runs;
        list->count++;
        return 0;
}

int nereid_projects_list(nereid_projects **out, const nereid_options *opts)
{
        struct options_config cfg;
        nereid_projects *list = NULL;
        nereid_store *store = NULL;
        int rc;

        nrd_error_clear();
        assert(out);
        *out = NULL;
        if (!nrd_options_initialized())
                return nrd_error(NEREID_ERROR, "libnereid: nereid_init() has not been called");
        if ((rc = nrd_options_config_copy(&cfg, opts)) < 0)
                return rc;
        if (!(list = nrd_calloc(1, sizeof(*list)))) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        if ((rc = nrd_project_store_open_token(&store, cfg.store, cfg.home, cfg.mode, cfg.api_token,
                                               NULL)) < 0)
                goto cleanup;
        rc = nrd_store_project_each(store, projects_push, list);
cleanup:
        if (store)
                nrd_store_close(store);
        nrd_options_config_clear(&cfg);
        if (rc < 0) {
                nereid_projects_free(list);
                return rc;
        }
        *out = list;
        return 0;
}

size_t nereid_projects_count(const nereid_projects *projects)
{
        return projects->count;
}

const char *nereid_projects_name(const nereid_projects *projects, size_t i)
{
        return i < projects->count ? projects->items[i].name : NULL;
}

const char *nereid_projects_key(const nereid_projects *projects, size_t i)
{
        return i < projects->count ? projects->items[i].key : NULL;
}

uint64_t nereid_projects_runs(const nereid_projects *projects, size_t i)
{
        return i < projects->count ? projects->items[i].runs : 0;
}

void nereid_projects_free(nereid_projects *projects)
{
        size_t i;

        if (!projects)
                return;
        for (i = 0; i < projects->count; i++)
                free(projects->items[i].name);
        free(projects->items);
        free(projects);
}
