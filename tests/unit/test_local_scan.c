/*
 * test_local_scan.c - the local walk (src/source/local_scan.c) against a
 * tree changed while it runs: a folder swapped for a link to another tree
 * at the exact moment the walk hands its files to the workers, or just
 * before it enters it (through the test hook of local_scan.h). No file from
 * the other tree may ever be recorded. Also the walk's depth and Nereid's
 * own store inside the tracked folder.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "hash.h"
#include "nereid.h"
#include "scratch.h"
#include "project.h"
#include "record.h"
#include "source/local_scan.h"
#include "source/source.h"

#define FILES 40

static char inside_md5[33], secret_md5[33];

/* The swap the hook makes: folder becomes a link to outside. */
static char swap_folder[4096], swap_moved[4096], swap_outside[4096];
static const char *swap_at; /* the entry name at which to swap */
static int swapped;

static void swap_hook(const char *folder, const char *name)
{
        (void)folder;
        if (swapped || strcmp(name, swap_at) != 0)
                return;
        swapped = 1;
        if (rename(swap_folder, swap_moved) < 0 || symlink(swap_outside, swap_folder) < 0)
                perror("swap");
}

/* printf into out (4096 bytes); through vsnprintf, as the paths' lengths
 * are not known at compile time. */
static char *pathf(char *out, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(out, 4096, fmt, ap);
        va_end(ap);
        return out;
}

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        if (!f) {
                perror(path);
                return;
        }
        fputs(text, f);
        fclose(f);
}

static void md5_text(const char *text, char out[33])
{
        char path[4096];
        int fd;

        pathf(path, "%s/md5-input", root);
        write_file(path, text);
        fd = open(path, O_RDONLY);
        out[0] = '\0';
        if (fd >= 0) {
                nrd_hash_md5_fd(fd, path, NULL, out, NULL);
                close(fd);
        }
        unlink(path);
}

/* root/NAME/{f00..f39, sub/s.txt} inside; root/NAME-outside/ the same
 * names with other content. */
static void make_trees(const char *name)
{
        char in[4096], out[4096], sub[4096], file[4096];
        int i;

        pathf(in, "%s/%s", root, name);
        pathf(out, "%s/%s-outside", root, name);
        mkdir(in, 0755);
        mkdir(out, 0755);
        pathf(sub, "%s/sub", in);
        mkdir(sub, 0755);
        write_file(pathf(file, "%s/s.txt", sub), "inside\n");
        pathf(sub, "%s/sub", out);
        mkdir(sub, 0755);
        write_file(pathf(file, "%s/s.txt", sub), "SECRET\n");
        for (i = 0; i < FILES; i++) {
                write_file(pathf(file, "%s/f%02d", in, i), "inside\n");
                write_file(pathf(file, "%s/f%02d", out, i), "SECRET\n");
        }
}

/* Every record of field holds the inside content; returns their number. */
static size_t check_all_inside(nereid_run *run, const char *field)
{
        nereid_files *files = NULL;
        size_t i, n = 0;

        CHECK(nereid_run_fetch_files_list(&files, run, field) == 0);
        if (!files)
                return 0;
        n = nereid_files_count(files);
        for (i = 0; i < n; i++) {
                const nereid_file *f = nereid_files_get(files, i);

                CHECK(strcmp(nereid_file_hash(f), secret_md5) != 0);
                CHECK_STR(nereid_file_hash(f), inside_md5);
        }
        nereid_files_free(files);
        return n;
}

/* The folder holding the files is swapped for a link to the other tree
 * just before its first file goes to the workers: the workers must still
 * read the folder the walk listed. */
static void test_swap_while_hashing(nereid_project *project, const char *name)
{
        nereid_run *run = NULL;
        char hash[NEREID_HASH_HEXLEN + 1], where[4096];
        int rc;

        make_trees(name);
        pathf(swap_folder, "%s/%s/sub", root, name);
        pathf(swap_moved, "%s/%s-moved", root, name);
        pathf(swap_outside, "%s/%s-outside/sub", root, name);
        CHECK(nereid_run_open(&run, project, NULL, NULL) == 0);
        swap_at = "s.txt";
        swapped = 0;
        nrd_local_scan_hook = swap_hook;
        rc = nereid_run_track_files(hash, run, name, pathf(where, "%s/%s", root, name), NULL);
        nrd_local_scan_hook = NULL;
        CHECK(swapped);
        /* The workers read the folder the walk listed, wherever it went:
         * what is recorded is what was inside, never the other tree. */
        CHECK(rc == 0);
        if (rc == 0)
                CHECK(check_all_inside(run, name) == FILES + 1);
        else
                fprintf(stderr, "track: %s\n", nereid_error_last());
        nereid_run_free(run);
}

/* A subfolder swapped for a link after it was listed, before it is
 * entered: not entered; the track fails naming it, nothing recorded. */
static void test_swap_before_entering(nereid_project *project)
{
        nereid_run *run = NULL;
        char hash[NEREID_HASH_HEXLEN + 1], where[4096];
        int rc;

        make_trees("enter");
        pathf(swap_folder, "%s/enter/sub", root);
        pathf(swap_moved, "%s/enter-moved", root);
        pathf(swap_outside, "%s/enter-outside/sub", root);
        CHECK(nereid_run_open(&run, project, NULL, NULL) == 0);
        swap_at = "sub";
        swapped = 0;
        nrd_local_scan_hook = swap_hook;
        rc = nereid_run_track_files(hash, run, "enter", pathf(where, "%s/enter", root), NULL);
        nrd_local_scan_hook = NULL;
        CHECK(swapped);
        CHECK(rc < 0);
        CHECK(strstr(nereid_error_last(), "enter/sub: changed while being tracked") != NULL);
        CHECK(nereid_run_fetch_hash(hash, run, "enter", NEREID_HASH_ARTIFACT) == NEREID_ENOTFOUND);
        nereid_run_free(run);
}

/* The tracked folder's files in a deep tree are opened from their folder,
 * whatever the length of their path: deeper than PATH_MAX works. */
static void test_deep(nereid_project *project)
{
        nereid_run *run = NULL;
        nereid_files *files = NULL;
        char hash[NEREID_HASH_HEXLEN + 1], where[4096];
        int fd, i, next;

        fd = open(root, O_RDONLY | O_DIRECTORY);
        CHECK(mkdirat(fd, "deep", 0755) == 0);
        for (i = 0; i < 3000 && fd >= 0; i++) {
                next = openat(fd, i == 0 ? "deep" : "dd", O_RDONLY | O_DIRECTORY);
                close(fd);
                fd = next;
                if (fd >= 0 && i < 2999 && mkdirat(fd, "dd", 0755) < 0)
                        break;
        }
        CHECK(fd >= 0);
        if (fd >= 0) {
                int f = openat(fd, "bottom.txt", O_WRONLY | O_CREAT, 0644);

                CHECK(f >= 0 && write(f, "inside\n", 7) == 7);
                close(f);
                close(fd);
        }
        CHECK(nereid_run_open(&run, project, NULL, NULL) == 0);
        CHECK(nereid_run_track_files(hash, run, "deep", pathf(where, "%s/deep", root), NULL) == 0);
        CHECK(nereid_run_fetch_files_list(&files, run, "deep") == 0);
        CHECK(files && nereid_files_count(files) == 1);
        if (files && nereid_files_count(files) == 1) {
                const nereid_file *f = nereid_files_get(files, 0);

                CHECK(strlen(nereid_file_path(f)) == 2999 * 3 + strlen("bottom.txt"));
                CHECK_STR(nereid_file_hash(f), inside_md5);
        }
        nereid_files_free(files);
        nereid_run_free(run);
}

/* Deep folders are left closed and reopened through ".." on the way back
 * up: a folder moved out of the tracked tree meanwhile is noticed there. */
static void test_moved_while_deep(nereid_project *project)
{
        nereid_run *run = NULL;
        char hash[NEREID_HASH_HEXLEN + 1], where[4096], file[4096];
        int i;

        pathf(where, "%s/moved", root);
        mkdir(where, 0755);
        for (i = 0; i < 24; i++) {
                size_t len = strlen(where);

                pathf(where + len, "/l%d", i);
                mkdir(where, 0755);
        }
        write_file(pathf(file, "%s/x.txt", where), "inside\n");
        pathf(swap_folder, "%s/moved/l0", root);
        pathf(swap_moved, "%s/l0-elsewhere", root);
        pathf(swap_outside, "%s/moved-outside", root);
        mkdir(swap_outside, 0755);
        CHECK(nereid_run_open(&run, project, NULL, NULL) == 0);
        swap_at = "x.txt";
        swapped = 0;
        nrd_local_scan_hook = swap_hook;
        CHECK(nereid_run_track_files(hash, run, "moved", pathf(where, "%s/moved", root), NULL) < 0);
        nrd_local_scan_hook = NULL;
        CHECK(swapped);
        CHECK(strstr(nereid_error_last(), "moved while being tracked") != NULL);
        CHECK(nereid_run_fetch_hash(hash, run, "moved", NEREID_HASH_ARTIFACT) == NEREID_ENOTFOUND);
        nereid_run_free(run);
}

/* The walk gives its records in the order of their paths (strcmp), as
 * the records are stored, so that they need no sort: a subfolder's files
 * come where its name followed by '/' sorts, among files whose names
 * share its start ("a b", "a-b", "a.txt" and "a/..." in that order),
 * bytes above 0x7f last, a link to a file under its own name, an empty
 * subfolder nowhere. Twice, with a store and hash cache of its own: with
 * the workers stat'ing files (the hash cache empty), then with the walk
 * stat'ing them (the cache filled by the first). */
static void test_walk_order(void)
{
        nereid_project *project = NULL;
        nereid_options opts = NEREID_OPTIONS_INIT;
        char home[4096];
        static const char *const dirs[] = {"order",    "order/a",        "order/a/w",    "order/a0",
                                           "order/ab", "order/\xc3\xa9", "order/a/empty"};
        static const char *const files[] = {"order/a/x",  "order/a/w.txt",   "order/a/w/q",
                                            "order/a-b",  "order/a.txt",     "order/a b",
                                            "order/a0/y", "order/ab/c",      "order/Z",
                                            "order/b",    "order/\xc3\xa9/1"};
        char path[4096], target[4096];
        size_t i;
        int round;

        for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
                mkdir(pathf(path, "%s/%s", root, dirs[i]), 0755);
        for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
                write_file(pathf(path, "%s/%s", root, files[i]), "inside\n");
        CHECK(symlink(pathf(target, "%s/order/b", root), pathf(path, "%s/order/a/l", root)) == 0);
        opts.store = pathf(home, "%s/order-home", root);
        CHECK(nereid_project_open(&project, "local/sandbox", &opts) == 0);
        for (round = 0; project && round < 2; round++) {
                nereid_files *out = nrd_files_new();
                source_location loc;
                size_t n = 0, sorted = 1;

                CHECK(nrd_source_parse_location(pathf(path, "%s/order", root), NULL, &loc) == 0);
                CHECK(out && nrd_local_scan(project, &loc, NULL, out) == 0);
                nrd_source_location_clear(&loc);
                n = out ? nereid_files_count(out) : 0;
                CHECK(n == sizeof(files) / sizeof(files[0]) + 1);
                for (i = 1; i < n; i++)
                        if (strcmp(nereid_file_path(nereid_files_get(out, i - 1)),
                                   nereid_file_path(nereid_files_get(out, i))) >= 0) {
                                fprintf(stderr, "walk order: %s before %s\n",
                                        nereid_file_path(nereid_files_get(out, i - 1)),
                                        nereid_file_path(nereid_files_get(out, i)));
                                sorted = 0;
                        }
                CHECK(sorted);
                nereid_files_free(out);
                /* The hash cache is written in the background. */
                nrd_project_wait_background(project);
        }
        nereid_project_free(project);
}

int main(void)
{
        nereid_project *project = NULL;
        nereid_options opts = NEREID_OPTIONS_INIT;
        char home[4096];

        if (scratch_begin("local-scan") < 0)
                return 1;
        md5_text("inside\n", inside_md5);
        md5_text("SECRET\n", secret_md5);
        pathf(home, "%s/home", root);
        opts.store = home;
        CHECK(nereid_init() == 1);
        CHECK(nereid_project_open(&project, "local/sandbox", &opts) == 0);
        if (!project)
                return scratch_end(CHECK_DONE());
        /* A first track: the hash cache is empty, the workers stat files. */
        test_swap_while_hashing(project, "first");
        /* Now the cache has entries: the walk stats files itself. */
        test_swap_while_hashing(project, "second");
        test_swap_before_entering(project);
        test_deep(project);
        test_moved_while_deep(project);
        test_walk_order();
        nereid_project_free(project);
        CHECK(nereid_shutdown() == 0);
        return scratch_end(CHECK_DONE());
}
