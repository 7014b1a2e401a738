/*
 * test_pg_explain.c - the PostgreSQL store's indexes match its queries:
 * on a database holding 100,000 runs (each with a field), an artifact of
 * 1,000,000 records beside 100,000 small ones, and a thousand projects,
 * tokens and settings, every prepared statement of the backend (the only
 * SQL any API route runs, bar the COPY of new records) is EXPLAINed, and no
 * plan has a sequential scan, except the two that list a whole table
 * (every project, every token). Each statement is EXPLAINed twice: its
 * generic plan (what a prepared statement settles on) and a custom plan
 * for real values. Needs NEREID_TEST_PG_EXPLAIN, an empty database's URI
 * (tests/pg/explain.sh starts one); says it is skipped without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>
#include "check.h"
#include "nereid.h"
#include "store/postgres.h"
#include "store/store.h"

#define RUNS  "100000"
#define FILES "1000000"

static PGconn *conn;

static int sql(const char *text)
{
        PGresult *res = PQexec(conn, text);
        int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;

        if (!ok)
                fprintf(stderr, "%s: %s\n", text, PQresultErrorMessage(res));
        PQclear(res);
        return ok;
}

/* The database of the test: made through the seam (the schema), filled
 * with SQL (fast). */
static int fill(const char *uri)
{
        nereid_store *store = NULL;
        char key[16];
        int ok;

        if (nrd_store_open(&store, uri, NEREID_MODE_ASYNC) < 0 ||
            nrd_store_project_open(store, "ws/big", "BIG", 1, key) < 0) {
                fprintf(stderr, "store: %s\n", nereid_error_last());
                nrd_store_close(store);
                return 0;
        }
        nrd_store_close(store);
        ok = sql("INSERT INTO projects(name, key) SELECT 'ws/p' || g, 'P' || g"
                 " FROM generate_series(1, 1000) g") &&
             sql("INSERT INTO runs(project_id, number, name, owner, creation_time,"
                 " modification_time, uuid, custom_run_id) SELECT 1, g, 'run ' || g, 'me',"
                 " to_char(timestamp '2026-01-01' + g * interval '1 second',"
                 " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '2026-01-01T00:00:00Z',"
                 " md5(g::text)::uuid::text, CASE WHEN g % 2 = 0 THEN 'c' || g END"
                 " FROM generate_series(1, " RUNS ") g") &&
             sql("UPDATE projects SET next_run = " RUNS " + 1 WHERE id = 1") &&
             sql("INSERT INTO artifacts(project_id, hash, content_hash, file_count)"
                 " SELECT 1, encode(sha256(g::text::bytea), 'hex'), md5(g::text), 3"
                 " FROM generate_series(1, " RUNS ") g") &&
             sql("INSERT INTO artifact_files SELECT 1, 'data/' || lpad(g::text, 7, '0'),"
                 " md5(g::text), 'Local', g, NULL, NULL FROM generate_series(1, " FILES ") g") &&
             sql("INSERT INTO artifact_files SELECT a, 'f' || g, md5((a * 10 + g)::text),"
                 " 'Local', g, NULL, NULL FROM generate_series(2, " RUNS ") a,"
                 " generate_series(1, 3) g") &&
             sql("INSERT INTO fields SELECT g, 'data', g FROM generate_series(1, " RUNS ") g") &&
             sql("INSERT INTO fields SELECT g, 'big', 1 FROM generate_series(1, 10) g") &&
             sql("INSERT INTO field_roots SELECT g, 'data', 'file:///d/' || g, ''"
                 " FROM generate_series(1, " RUNS ") g") &&
             sql("INSERT INTO tokens(name, project, role, hash, created) SELECT 't' || g,"
                 " 'ws/big', 2, encode(sha256(('t' || g)::bytea), 'hex'), '2026-01-01T00:00:00Z'"
                 " FROM generate_series(1, 1000) g") &&
             sql("INSERT INTO settings SELECT 'k' || g, 'v' FROM generate_series(1, 1000) g") &&
             sql("ANALYZE");
        return ok;
}

/* A value for parameter i of statement text: numbers for the ID and
 * number parameters, a text that exists otherwise. */
static const char *value_for(Oid type)
{
        if (type == 1016) /* bigint[] */
                return "{1,2,3}";
        return type == 20 || type == 23 ? "1" : "data";
}

/* Whether statement text may scan table (a statement that lists it all). */
static const char *whole_table(const char *text)
{
        if (strstr(text, "FROM projects p ORDER BY p.name") && !strstr(text, "runs"))
                return "Seq Scan on projects";
        if (strstr(text, "FROM tokens ORDER BY id"))
                return "Seq Scan on tokens";
        return NULL;
}

static void explain(size_t i, const char *text, int generic)
{
        char name[32], query[256], *p;
        const char *allowed = whole_table(text);
        PGresult *res, *desc;
        int n, k, row, scans;
        size_t len;

        snprintf(name, sizeof(name), "x%zu", i);
        res = PQprepare(conn, name, text, 0, NULL);
        CHECK(PQresultStatus(res) == PGRES_COMMAND_OK);
        PQclear(res);
        desc = PQdescribePrepared(conn, name);
        n = PQnparams(desc);
        len = (size_t)snprintf(query, sizeof(query), "EXPLAIN EXECUTE %s", name);
        for (k = 0; k < n; k++)
                len += (size_t)snprintf(query + len, sizeof(query) - len, "%s%s%s%s",
                                        k ? ", " : "(", generic ? "" : "'",
                                        generic ? "NULL" : value_for(PQparamtype(desc, k)),
                                        generic ? "" : "'");
        if (n)
                snprintf(query + len, sizeof(query) - len, ")");
        PQclear(desc);
        CHECK(sql(generic ? "SET plan_cache_mode = force_generic_plan"
                          : "SET plan_cache_mode = force_custom_plan"));
        res = PQexec(conn, query);
        CHECK(PQresultStatus(res) == PGRES_TUPLES_OK);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
                fprintf(stderr, "%s: %s", query, PQresultErrorMessage(res));
        for (row = 0, scans = 0; row < PQntuples(res) && !scans; row++) {
                p = PQgetvalue(res, row, 0);
                scans = strstr(p, "Seq Scan") && !(allowed && strstr(p, allowed));
                CHECK(!scans);
                if (scans) {
                        fprintf(stderr, "%s plan of\n  %s\nscans a table:\n",
                                generic ? "generic" : "custom", text);
                        for (k = 0; k < PQntuples(res); k++)
                                fprintf(stderr, "  %s\n", PQgetvalue(res, k, 0));
                }
        }
        PQclear(res);
        snprintf(query, sizeof(query), "DEALLOCATE %s", name);
        CHECK(sql(query));
}

int main(void)
{
        const char *uri = getenv("NEREID_TEST_PG_EXPLAIN"), *text;
        size_t i;

        if (!uri || !*uri) {
                printf("skipped: set NEREID_TEST_PG_EXPLAIN (tests/pg/explain.sh does)\n");
                return 0;
        }
        conn = PQconnectdb(uri);
        CHECK(PQstatus(conn) == CONNECTION_OK);
        if (PQstatus(conn) != CONNECTION_OK) {
                fprintf(stderr, "%s", PQerrorMessage(conn));
                PQfinish(conn);
                return CHECK_DONE();
        }
        CHECK(fill(uri));
        for (i = 0; (text = nrd_store_postgres_sql(i)) != NULL; i++) {
                explain(i, text, 1);
                explain(i, text, 0);
        }
        CHECK(i > 30);
        printf("%zu statements explained, generic and custom plans\n", i);
        PQfinish(conn);
        return CHECK_DONE();
}
