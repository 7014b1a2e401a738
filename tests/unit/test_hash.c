/*
 * test_hash.c - the artifact and content hashes against SPEC section 3's
 * test vectors, and the MD5 of data given at once, in pieces, and streamed
 * from files larger than one read block.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "check.h"
#include "scratch.h"
#include "error.h"
#include "hash.h"
#include "record.h"

#define FOX       "The quick brown fox jumps over the lazy dog"
#define FOX_MD5   "9e107d9d372bb6826bd81d3542a419d6"
#define EMPTY_MD5 "d41d8cd98f00b204e9800998ecf8427e"

/* Vector 1, in the order the SPEC gives it (not sorted by file_path). */
static struct nereid_file vector1[] = {
    {"train/sample.csv", FOX_MD5, "Local", 43, 1, "file:///data/datasets/train/sample.csv",
     "2022-09-30 10:50:40"},
    {"README", EMPTY_MD5, "Local", 0, 1, "file:///data/datasets/README", "2022-09-30 10:50:41"},
};

/* The UTF-8 of the file is the point: 13 code points in 15 bytes. */
static struct nereid_file vector2[] = {
    {"données/é.txt", "2f249230a8e7c2bf6005ccd2679259ec", "S3", 4, 1,
     "s3://kuiper/path/données/é.txt", "2021-05-23 03:55:26"},
};

static struct nereid_file vector3[] = {
    {"x", "abc", "S3", 0, 0, NULL, NULL},
};

static nereid_files list_of(struct nereid_file *items, size_t count)
{
        nereid_files files = {items, count, count};

        return files;
}

static void check_hashes(struct nereid_file *items, size_t count, const char *artifact,
                         const char *content)
{
        nereid_files files = list_of(items, count);
        char out[NEREID_HASH_HEXLEN + 1];

        CHECK(nereid_files_hash(out, &files, NEREID_HASH_ARTIFACT) == 0);
        CHECK_STR(out, artifact);
        CHECK(nrd_hash_is_sha256(out));
        if (content) {
                CHECK(nereid_files_hash(out, &files, NEREID_HASH_CONTENT) == 0);
                CHECK_STR(out, content);
        }
}

static void test_vectors(void)
{
        check_hashes(vector1, 2, "5047df558ecc02213b674f2e0695f3d59e96c63dfe985bd6f55af3c31f53d448",
                     "7d9a22237b4284b703778fa6e40697fda474b13aab6818d5365170c815f80b8b");
        check_hashes(vector2, 1, "bfd02f2364bba5e666689046e613d54e70f60fd43663e51b4bfdb1362a8b54e2",
                     "532f974afa998e8fed8a70c79224ead662178f136d95d9b53c115e1c7a5b2654");
        /* The SPEC gives no content hash for vector 3; this one follows from
         * the same reading of a null size that its artifact hash confirms. */
        check_hashes(vector3, 1, "a4f2aa851a64472281a69de5b99827963a3b847d840898288421cf5fb1eb54b3",
                     "f162cfa2bad3ac40e05d9c12b8c4662e25267cbef51acaaa72e78f41ccad6714");
}

static void test_order_and_metadata(void)
{
        struct nereid_file sorted[2] = {vector1[1], vector1[0]};
        struct nereid_file moved[2] = {vector1[1], vector1[0]};
        struct nereid_file sized = vector3[0];
        nereid_files unsorted_list = list_of(vector1, 2), sorted_list = list_of(sorted, 2);
        nereid_files moved_list = list_of(moved, 2), sized_list = list_of(&sized, 1);
        nereid_files null_list = list_of(vector3, 1), empty = {NULL, 0, 0};
        char a[NEREID_HASH_HEXLEN + 1], b[NEREID_HASH_HEXLEN + 1];

        /* The input is const: sorting happens on the side. */
        CHECK(nrd_hash_files(&sorted_list, 0, a) == 0);
        CHECK(nrd_hash_files(&unsorted_list, 0, b) == 0);
        CHECK_STR(a, b);
        CHECK_STR(vector1[0].file_path, "train/sample.csv");
        CHECK(nrd_hash_files(&sorted_list, 1, a) == 0);
        CHECK(nrd_hash_files(&unsorted_list, 1, b) == 0);
        CHECK_STR(a, b);

        /* The same data elsewhere: same content hash, other artifact hash. */
        moved[0].source = "s3://bucket/README";
        moved[1].last_modified = "2023-01-01 00:00:00";
        CHECK(nrd_hash_files(&moved_list, 1, a) == 0);
        CHECK(nrd_hash_files(&sorted_list, 1, b) == 0);
        CHECK_STR(a, b);
        CHECK(nrd_hash_files(&moved_list, 0, a) == 0);
        CHECK(nrd_hash_files(&sorted_list, 0, b) == 0);
        CHECK(strcmp(a, b) != 0);
        /* An absent metadata value is not the same as an empty one. */
        moved[0].source = NULL;
        CHECK(nrd_hash_files(&moved_list, 0, b) == 0);
        CHECK(strcmp(a, b) != 0);
        moved[0].source = "";
        CHECK(nrd_hash_files(&moved_list, 0, a) == 0);
        CHECK(strcmp(a, b) != 0);

        /* size 0 and size null differ, in both hashes. */
        sized.has_size = 1;
        CHECK(nrd_hash_files(&sized_list, 0, a) == 0);
        CHECK(nrd_hash_files(&null_list, 0, b) == 0);
        CHECK(strcmp(a, b) != 0);
        CHECK(nrd_hash_files(&sized_list, 1, a) == 0);
        CHECK(nrd_hash_files(&null_list, 1, b) == 0);
        CHECK(strcmp(a, b) != 0);
        /* The content hash stops before the metadata "#": it is not the
         * artifact hash of a record without metadata. */
        CHECK(nrd_hash_files(&null_list, 0, a) == 0);
        CHECK(strcmp(a, b) != 0);

        /* No records: SHA-256 of nothing. */
        CHECK(nereid_files_hash(a, &empty, NEREID_HASH_ARTIFACT) == 0);
        CHECK_STR(a, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_bad_records(void)
{
        struct nereid_file bad = vector3[0];
        nereid_files list = list_of(&bad, 1);
        char out[NEREID_HASH_HEXLEN + 1];

        bad.file_hash = NULL;
        CHECK(nereid_files_hash(out, &list, NEREID_HASH_ARTIFACT) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "file_hash") != NULL);
        CHECK(out[0] == '\0');
        bad = vector3[0];
        bad.file_path = NULL;
        CHECK(nereid_files_hash(out, &list, NEREID_HASH_ARTIFACT) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "file_path") != NULL);
        CHECK(nereid_files_hash(out, NULL, NEREID_HASH_ARTIFACT) == NEREID_EINVALID);
}

static void test_md5_memory(void)
{
        static const size_t pieces[] = {0, 1, 2, 7, 13, 20};
        hash_md5_ctx *ctx;
        char out[NEREID_MD5_HEXLEN + 1];
        size_t i, at = 0;

        ctx = nrd_hash_md5_new();
        CHECK(ctx != NULL);
        CHECK(nrd_hash_md5_final(ctx, out) == 0);
        CHECK_STR(out, EMPTY_MD5);

        ctx = nrd_hash_md5_new();
        CHECK(ctx != NULL);
        CHECK(nrd_hash_md5_update(ctx, FOX, strlen(FOX)) == 0);
        CHECK(nrd_hash_md5_final(ctx, out) == 0);
        CHECK_STR(out, FOX_MD5);

        /* The same bytes in uneven pieces, an empty one included. */
        ctx = nrd_hash_md5_new();
        for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
                CHECK(nrd_hash_md5_update(ctx, &FOX[at], pieces[i]) == 0);
                at += pieces[i];
        }
        CHECK(at == strlen(FOX));
        CHECK(nrd_hash_md5_final(ctx, out) == 0);
        CHECK_STR(out, FOX_MD5);

        nrd_hash_md5_free(nrd_hash_md5_new());
        nrd_hash_md5_free(NULL);
}

static void test_is_hex(void)
{
        CHECK(nrd_hash_is_md5(FOX_MD5));
        CHECK(!nrd_hash_is_md5("9E107D9D372BB6826BD81D3542A419D6"));
        CHECK(!nrd_hash_is_md5("9e107d9d372bb6826bd81d3542a419d"));
        CHECK(!nrd_hash_is_md5("9e107d9d372bb6826bd81d3542a419d67"));
        CHECK(!nrd_hash_is_md5("9e107d9d372bb6826bd81d3542a419d6-2"));
        CHECK(!nrd_hash_is_md5("9e107d9d372bb6826bd81d3542a419g6"));
        CHECK(!nrd_hash_is_md5(""));
        CHECK(!nrd_hash_is_md5(NULL));
        CHECK(
            nrd_hash_is_sha256("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        CHECK(!nrd_hash_is_sha256(FOX_MD5));
        CHECK(
            !nrd_hash_is_sha256("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"));
        CHECK(!nrd_hash_is_sha256(
            "E3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

static void test_md5_fd(void)
{
        const size_t size = 3 * 1024 * 1024 + 512 * 1024 + 17;
        unsigned char *data = malloc(size), *block = malloc(NEREID_HASH_BLOCK);
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int dlen = 0, i;
        char path[4096], want[NEREID_MD5_HEXLEN + 1], out[NEREID_MD5_HEXLEN + 1];
        uint32_t x = 12345;
        uint64_t nread = 0;
        int fd, pipes[2];
        size_t j;

        CHECK(data && block);
        if (!data || !block)
                goto cleanup;
        for (j = 0; j < size; j++) {
                x = x * 1103515245u + 12345u;
                data[j] = (unsigned char)(x >> 16);
        }
        CHECK(EVP_Digest(data, size, digest, &dlen, EVP_md5(), NULL) == 1);
        for (i = 0; i < dlen; i++)
                snprintf(want + 2 * i, 3, "%02x", digest[i]);

        snprintf(path, sizeof(path), "%s/nereid-hash-XXXXXX", tmp_root());
        fd = mkstemp(path);
        CHECK(fd >= 0);
        if (fd < 0)
                goto cleanup;
        CHECK(write(fd, data, size) == (ssize_t)size);
        CHECK(lseek(fd, 0, SEEK_SET) == 0);
        CHECK(nrd_hash_md5_fd(fd, path, NULL, out, &nread) == 0);
        CHECK_STR(out, want);
        CHECK(nread == size);
        /* With the caller's buffer. */
        CHECK(lseek(fd, 0, SEEK_SET) == 0);
        nread = 0;
        CHECK(nrd_hash_md5_fd(fd, path, block, out, &nread) == 0);
        CHECK_STR(out, want);
        CHECK(nread == size);
        /* With the size fstat gave: the same digest, EOF confirmed. */
        CHECK(lseek(fd, 0, SEEK_SET) == 0);
        CHECK(nrd_hash_md5_fd_sized(fd, path, block, size, out, &nread) == 0);
        CHECK_STR(out, want);
        CHECK(nread == size);
        /* A size past the end: read to EOF, nread says how much there was
         * (the caller compares). */
        CHECK(lseek(fd, 0, SEEK_SET) == 0);
        CHECK(nrd_hash_md5_fd_sized(fd, path, block, size + 100, out, &nread) == 0);
        CHECK_STR(out, want);
        CHECK(nread == size);
        /* More data than the size says (a file that grew, or whose size
         * lies): an error naming the file, no digest. */
        CHECK(lseek(fd, 0, SEEK_SET) == 0);
        CHECK(nrd_hash_md5_fd_sized(fd, path, block, size - 1, out, &nread) < 0);
        CHECK(strstr(nereid_error_last(), path) != NULL);
        CHECK(strstr(nereid_error_last(), "more than its size") != NULL);
        CHECK(out[0] == '\0');
        /* A whole block more than the size, and the size a block exactly. */
        CHECK(lseek(fd, 0, SEEK_SET) == 0);
        CHECK(nrd_hash_md5_fd_sized(fd, path, block, NEREID_HASH_BLOCK, out, &nread) < 0);
        CHECK(lseek(fd, 0, SEEK_SET) == 0);
        CHECK(nrd_hash_md5_fd_sized(fd, path, NULL, 0, out, &nread) < 0);
        /* From the middle: what is left. */
        CHECK(lseek(fd, (off_t)(size - strlen(FOX)), SEEK_SET) > 0);
        CHECK(nrd_hash_md5_fd(fd, path, block, out, NULL) == 0);
        CHECK(strcmp(out, want) != 0);
        close(fd);
        unlink(path);

        /* A pipe: fadvise fails there, reading must not. */
        CHECK(pipe(pipes) == 0);
        CHECK(write(pipes[1], FOX, strlen(FOX)) == (ssize_t)strlen(FOX));
        close(pipes[1]);
        CHECK(nrd_hash_md5_fd(pipes[0], "pipe", NULL, out, &nread) == 0);
        CHECK_STR(out, FOX_MD5);
        CHECK(nread == strlen(FOX));
        close(pipes[0]);

        /* Size 0 with content, as /proc/self/status says: refused. */
        CHECK(pipe(pipes) == 0);
        CHECK(write(pipes[1], FOX, strlen(FOX)) == (ssize_t)strlen(FOX));
        close(pipes[1]);
        CHECK(nrd_hash_md5_fd_sized(pipes[0], "status", NULL, 0, out, &nread) < 0);
        CHECK(strstr(nereid_error_last(), "status: holds more than its size of 0 bytes") != NULL);
        close(pipes[0]);

        /* A read error names the file. */
        fd = open(tmp_root(), O_RDONLY | O_DIRECTORY);
        CHECK(fd >= 0);
        CHECK(nrd_hash_md5_fd(fd, "the-folder", block, out, &nread) < 0);
        CHECK(strstr(nereid_error_last(), "the-folder") != NULL);
        CHECK(out[0] == '\0');
        close(fd);
cleanup:
        free(data);
        free(block);
}

/* 5,000 records (well past the bytes hashed at a time): the list's two
 * hashes, asked together or one at a time, are those of the records given
 * one by one to the stream the server uses. */
static void test_many_records(void)
{
        enum { N = 5000 };
        static struct nereid_file items[N];
        static char paths[N][24], sources[N][48];
        char a[NEREID_HASH_HEXLEN + 1], c[NEREID_HASH_HEXLEN + 1];
        char a1[NEREID_HASH_HEXLEN + 1], c1[NEREID_HASH_HEXLEN + 1];
        char sa[NEREID_HASH_HEXLEN + 1], sc[NEREID_HASH_HEXLEN + 1];
        nereid_files files = list_of(items, N);
        nrd_hash_stream *h = nrd_hash_stream_new();
        size_t i;

        for (i = 0; i < N; i++) {
                snprintf(paths[i], sizeof(paths[i]), "d/%06zu.bin", i);
                snprintf(sources[i], sizeof(sources[i]), "file:///data/d/%06zu.bin", i);
                items[i].file_path = paths[i];
                items[i].file_hash = i % 2 ? FOX_MD5 : EMPTY_MD5;
                items[i].type = "Local";
                items[i].size = i * 977;
                items[i].has_size = i % 7 != 3;
                items[i].source = i % 11 ? sources[i] : NULL;
                items[i].last_modified = i % 5 ? "2022-09-30 10:50:40" : NULL;
        }
        CHECK(h != NULL);
        for (i = 0; h && i < N; i++)
                CHECK(nrd_hash_stream_add(h, &items[i]) == 0);
        CHECK(h && nrd_hash_stream_final(h, sa, sc) == 0);
        nrd_hash_stream_free(h);
        CHECK(nrd_hash_files_pair(&files, a, c) == 0);
        CHECK_STR(a, sa);
        CHECK_STR(c, sc);
        CHECK(nrd_hash_files(&files, 0, a1) == 0);
        CHECK(nrd_hash_files(&files, 1, c1) == 0);
        CHECK_STR(a1, sa);
        CHECK_STR(c1, sc);
}

int main(void)
{
        test_vectors();
        test_many_records();
        test_order_and_metadata();
        test_bad_records();
        test_md5_memory();
        test_is_hex();
        test_md5_fd();
        return CHECK_DONE();
}
