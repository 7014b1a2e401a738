/*
 * replay.c - runs a fuzz target over saved inputs without libFuzzer, so
 * that any compiler (gcc too) builds the fuzz targets and every build
 * replays their corpus as a plain test, like libgit2's
 * fuzzers/standalone_driver.c. Not a fuzzer: it makes no new inputs.
 * Arguments are files or folders of files; a folder's entries are run in
 * name order, so a failure is reproducible.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run the target on one file's bytes. 0, or -1 when it cannot be read. */
static int replay_file(const char *path, size_t *count)
{
        FILE *f = fopen(path, "rb");
        uint8_t *data = NULL, *grown;
        size_t size = 0, cap = 0, n;
        int rc = -1;

        if (!f) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        for (;;) {
                if (size == cap) {
                        cap = cap ? cap * 2 : 4096;
                        if (!(grown = realloc(data, cap))) {
                                fprintf(stderr, "replay: %s: out of memory\n", path);
                                goto cleanup;
                        }
                        data = grown;
                }
                n = fread(data + size, 1, cap - size, f);
                size += n;
                if (n == 0)
                        break;
        }
        if (ferror(f)) {
                fprintf(stderr, "replay: %s: read error\n", path);
                goto cleanup;
        }
        /* An exact-size copy, so that ASan sees a read past the input. */
        grown = malloc(size ? size : 1);
        if (!grown)
                goto cleanup;
        memcpy(grown, data, size);
        LLVMFuzzerTestOneInput(grown, size);
        free(grown);
        (*count)++;
        rc = 0;
cleanup:
        free(data);
        fclose(f);
        return rc;
}

/* Every regular file of a folder, in name order. */
static int replay_dir(const char *dir, size_t *count)
{
        struct dirent **entries = NULL;
        char path[4096];
        struct stat st;
        int n, i, rc = 0;

        n = scandir(dir, &entries, NULL, alphasort);
        if (n < 0) {
                fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
                return -1;
        }
        for (i = 0; i < n; i++) {
                if (entries[i]->d_name[0] != '.' &&
                    snprintf(path, sizeof(path), "%s/%s", dir, entries[i]->d_name) <
                        (int)sizeof(path) &&
                    stat(path, &st) == 0 && S_ISREG(st.st_mode) && replay_file(path, count) < 0)
                        rc = -1;
                free(entries[i]);
        }
        free(entries);
        return rc;
}

int main(int argc, char **argv)
{
        size_t count = 0;
        struct stat st;
        int i, rc = 0;

        for (i = 1; i < argc; i++) {
                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
                        rc = 1;
                } else if (S_ISDIR(st.st_mode) ? replay_dir(argv[i], &count) < 0
                                               : replay_file(argv[i], &count) < 0) {
                        rc = 1;
                }
        }
        if (count == 0) {
                fprintf(stderr, "replay: no input to run\n");
                rc = 1;
        }
        printf("%zu inputs replayed\n", count);
        return rc;
}
