/*
 * hash.c - the artifact and content hashes of SPEC section 3 and the MD5 of
 * file contents, through OpenSSL's EVP interface. It only computes digests:
 * which files to hash, and whether a cached MD5 can be trusted, is decided
 * by the callers (source drivers, hashcache.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <openssl/evp.h>
#include "buf.h"
#include "error.h"
#include "hash.h"
#include "os/os.h"
#include "record.h"

/* The algorithms are fetched from OpenSSL's provider once: an implicit
 * fetch (EVP_md5() passed to EVP_DigestInit_ex) looks the provider up and
 * takes its locks on every call, which dominates hashing many small files
 * on several threads. */
static EVP_MD *hash_md5_algorithm, *hash_sha256_algorithm;
static pthread_once_t hash_fetch_once = PTHREAD_ONCE_INIT;

static void hash_fetch_algorithms(void)
{
        hash_md5_algorithm = EVP_MD_fetch(NULL, "MD5", NULL);
        hash_sha256_algorithm = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *hash_md5_md(void)
{
        pthread_once(&hash_fetch_once, hash_fetch_algorithms);
        return hash_md5_algorithm ? hash_md5_algorithm : EVP_md5();
}

static const EVP_MD *hash_sha256_md(void)
{
        pthread_once(&hash_fetch_once, hash_fetch_algorithms);
        return hash_sha256_algorithm ? hash_sha256_algorithm : EVP_sha256();
}

struct hash_md5_ctx {
        EVP_MD_CTX *md;
};

static void hash_to_hex(const unsigned char *digest, size_t len, char *out)
{
        static const char hex[] = "0123456789abcdef";
        size_t i;

        for (i = 0; i < len; i++) {
                out[2 * i] = hex[digest[i] >> 4];
                out[2 * i + 1] = hex[digest[i] & 0x0f];
        }
        out[2 * len] = '\0';
}

static void hash_put_be(unsigned char *p, uint64_t v, int bytes)
{
        int i;

        for (i = bytes - 1; i >= 0; i--) {
                p[i] = (unsigned char)(v & 0xff);
                v >>= 8;
        }
}

/* be32(number of code points of s) followed by its UTF-8 bytes. The
 * strings were checked to be UTF-8 where they entered, so counting the
 * bytes that do not continue a sequence counts the code points. */
static int hash_put_lstring(nereid_buf *buf, const char *s)
{
        unsigned char len[4];
        size_t n = strlen(s), points = 0, i;

        if (n > UINT32_MAX)
                return nrd_error(NEREID_EINVALID, "artifact hash: string of %zu bytes is too long",
                                 n);
        for (i = 0; i < n; i++)
                if (((unsigned char)s[i] & 0xc0) != 0x80)
                        points++;
        hash_put_be(len, points, 4);
        if (nrd_buf_put(buf, len, sizeof(len)) < 0 || nrd_buf_put(buf, s, n) < 0)
                return NEREID_ERROR;
        return 0;
}

static int hash_put_metadata(nereid_buf *buf, const char *key, const char *value)
{
        if (!value)
                return 0;
        if (nrd_buf_putc(buf, '|') < 0 || hash_put_lstring(buf, key) < 0 ||
            nrd_buf_putc(buf, '|') < 0 || hash_put_lstring(buf, value) < 0)
                return NEREID_ERROR;
        return 0;
}

/* The bytes one record contributes (SPEC section 3), appended to buf. */
/* The part of a record both hashes cover: path, hash, size, type. */
static int hash_put_content(nereid_buf *buf, const struct nereid_file *file)
{
        unsigned char size[8];

        if (!file->file_path || !file->file_hash || !file->type)
                return nrd_error(NEREID_EINVALID, "artifact hash: record %s has no %s",
                                 file->file_path ? file->file_path : "(unnamed)",
                                 !file->file_path   ? "file_path"
                                 : !file->file_hash ? "file_hash"
                                                    : "type");
        if (nrd_buf_putc(buf, '#') < 0 || hash_put_lstring(buf, file->file_path) < 0 ||
            nrd_buf_putc(buf, '#') < 0 || nrd_buf_puts(buf, file->file_hash) < 0 ||
            nrd_buf_putc(buf, '#') < 0)
                return NEREID_ERROR;
        /* A null size leaves its "#" alone (test vector 3). */
        if (file->has_size) {
                hash_put_be(size, file->size, 8);
                if (nrd_buf_put(buf, size, sizeof(size)) < 0)
                        return NEREID_ERROR;
        }
        if (nrd_buf_putc(buf, '#') < 0 || hash_put_lstring(buf, file->type) < 0)
                return NEREID_ERROR;
        return 0;
}

/* The part only the artifact hash covers. Metadata keys in sorted order:
 * "file_path" < "last_modified". */
static int hash_put_metadata_part(nereid_buf *buf, const struct nereid_file *file)
{
        if (nrd_buf_putc(buf, '#') < 0 || hash_put_metadata(buf, "file_path", file->source) < 0 ||
            hash_put_metadata(buf, "last_modified", file->last_modified) < 0)
                return NEREID_ERROR;
        return 0;
}

static int hash_compare_paths(const void *a, const void *b)
{
        const struct nereid_file *const *fa = a, *const *fb = b;

        return strcmp((*fa)->file_path, (*fb)->file_path);
}

static int hash_is_sorted(const nereid_files *files)
{
        size_t i;

        for (i = 0; i < files->count; i++)
                if (!files->items[i].file_path)
                        return -1;
        for (i = 1; i < files->count; i++)
                if (strcmp(files->items[i - 1].file_path, files->items[i].file_path) > 0)
                        return 0;
        return 1;
}

static EVP_MD_CTX *hash_sha256_start(void)
{
        EVP_MD_CTX *md = EVP_MD_CTX_new();

        if (!md || EVP_DigestInit_ex(md, hash_sha256_md(), NULL) != 1) {
                EVP_MD_CTX_free(md);
                nrd_error(NEREID_ERROR, "artifact hash: cannot start SHA-256");
                return NULL;
        }
        return md;
}

static int hash_sha256_update(EVP_MD_CTX *md, const nereid_buf *buf)
{
        if (md && EVP_DigestUpdate(md, buf->ptr, buf->len) != 1)
                return nrd_error(NEREID_ERROR, "artifact hash: SHA-256 update failed");
        return 0;
}

static int hash_sha256_finish(EVP_MD_CTX *md, char *out)
{
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int dlen = 0;

        if (!md)
                return 0;
        if (EVP_DigestFinal_ex(md, digest, &dlen) != 1 || dlen * 2 != NEREID_HASH_HEXLEN)
                return nrd_error(NEREID_ERROR, "artifact hash: SHA-256 final failed");
        hash_to_hex(digest, dlen, out);
        return 0;
}

/* Bytes of records given to SHA-256 at a time. */
#define HASH_BATCH (64 * 1024)

int nrd_hash_files_pair(const nereid_files *files, char *artifact_out, char *content_out)
{
        const struct nereid_file **order = NULL;
        /* What the artifact hash (buf) and the content hash (part; buf
         * when it is the only one asked for) are fed next. */
        nereid_buf buf = NEREID_BUF_INIT, part = NEREID_BUF_INIT;
        EVP_MD_CTX *artifact = NULL, *content = NULL;
        size_t i;
        int sorted, error = NEREID_ERROR;

        if (artifact_out)
                artifact_out[0] = '\0';
        if (content_out)
                content_out[0] = '\0';
        sorted = hash_is_sorted(files);
        if (sorted < 0) {
                error = nrd_error(NEREID_EINVALID, "artifact hash: a record has no file_path");
                goto cleanup;
        }
        /* The input is const: an unsorted list is hashed through a sorted
         * array of pointers to its records. */
        if (!sorted) {
                order = nrd_calloc(files->count, sizeof(*order));
                if (!order)
                        goto cleanup;
                for (i = 0; i < files->count; i++)
                        order[i] = &files->items[i];
                qsort(order, files->count, sizeof(*order), hash_compare_paths);
        }
        if ((artifact_out && !(artifact = hash_sha256_start())) ||
            (content_out && !(content = hash_sha256_start())))
                goto cleanup;
        /* One pass: the content hash covers the first part of each record,
         * the artifact hash that part and the metadata. Each hash is fed
         * HASH_BATCH bytes at a time, not a record at a time (two SHA-256
         * updates per record cost as much as the hashing itself). */
        for (i = 0; i < files->count; i++) {
                const struct nereid_file *file = order ? order[i] : &files->items[i];
                size_t at = buf.len;

                if ((error = hash_put_content(&buf, file)) < 0 ||
                    (error = content && artifact ? nrd_buf_put(&part, buf.ptr + at, buf.len - at)
                                                 : 0) < 0 ||
                    (error = artifact ? hash_put_metadata_part(&buf, file) : 0) < 0)
                        goto cleanup;
                if (buf.len >= HASH_BATCH || i + 1 == files->count) {
                        if ((error = hash_sha256_update(artifact, &buf)) < 0 ||
                            (error = hash_sha256_update(content, artifact ? &part : &buf)) < 0)
                                goto cleanup;
                        nrd_buf_clear(&buf);
                        nrd_buf_clear(&part);
                }
        }
        if ((error = hash_sha256_finish(artifact, artifact_out)) < 0 ||
            (error = hash_sha256_finish(content, content_out)) < 0)
                goto cleanup;
        error = 0;
cleanup:
        EVP_MD_CTX_free(artifact);
        EVP_MD_CTX_free(content);
        nrd_buf_free(&buf);
        nrd_buf_free(&part);
        free(order);
        return error;
}

struct nrd_hash_stream {
        EVP_MD_CTX *artifact, *content;
        nereid_buf buf;
};

nrd_hash_stream *nrd_hash_stream_new(void)
{
        nrd_hash_stream *h = nrd_calloc(1, sizeof(*h));

        if (!h)
                return NULL;
        if (!(h->artifact = hash_sha256_start()) || !(h->content = hash_sha256_start())) {
                nrd_hash_stream_free(h);
                return NULL;
        }
        return h;
}

int nrd_hash_stream_add(nrd_hash_stream *h, const struct nereid_file *file)
{
        int rc;

        nrd_buf_clear(&h->buf);
        if ((rc = hash_put_content(&h->buf, file)) < 0 ||
            (rc = hash_sha256_update(h->content, &h->buf)) < 0 ||
            (rc = hash_put_metadata_part(&h->buf, file)) < 0 ||
            (rc = hash_sha256_update(h->artifact, &h->buf)) < 0)
                return rc;
        return 0;
}

int nrd_hash_stream_final(nrd_hash_stream *h, char artifact_out[NEREID_HASH_HEXLEN + 1],
                          char content_out[NEREID_HASH_HEXLEN + 1])
{
        int rc;

        if ((rc = hash_sha256_finish(h->artifact, artifact_out)) < 0 ||
            (rc = hash_sha256_finish(h->content, content_out)) < 0)
                return rc;
        EVP_MD_CTX_free(h->artifact);
        EVP_MD_CTX_free(h->content);
        h->artifact = h->content = NULL;
        return 0;
}

void nrd_hash_stream_free(nrd_hash_stream *h)
{
        if (!h)
                return;
        EVP_MD_CTX_free(h->artifact);
        EVP_MD_CTX_free(h->content);
        nrd_buf_free(&h->buf);
        free(h);
}

int nrd_hash_files(const nereid_files *files, int content, char out[NEREID_HASH_HEXLEN + 1])
{
        return nrd_hash_files_pair(files, content ? NULL : out, content ? out : NULL);
}

int nereid_files_hash(char hash_out[NEREID_HASH_BUFSIZE], const nereid_files *files,
                      enum nereid_hash_kind kind)
{
        nrd_error_clear();
        if (!files || !hash_out)
                return nrd_error(NEREID_EINVALID, "artifact hash: no %s given",
                                 !files ? "file list" : "output buffer");
        if (kind != NEREID_HASH_ARTIFACT && kind != NEREID_HASH_CONTENT)
                return nrd_error(NEREID_EINVALID, "artifact hash: unknown kind %d", (int)kind);
        return nrd_hash_files(files, kind == NEREID_HASH_CONTENT, hash_out);
}

hash_md5_ctx *nrd_hash_md5_new(void)
{
        hash_md5_ctx *ctx = nrd_calloc(1, sizeof(*ctx));

        if (!ctx) {
                nrd_error_oom();
                return NULL;
        }
        ctx->md = EVP_MD_CTX_new();
        if (!ctx->md || EVP_DigestInit_ex(ctx->md, hash_md5_md(), NULL) != 1) {
                nrd_error(NEREID_ERROR, "MD5: cannot start the digest");
                nrd_hash_md5_free(ctx);
                return NULL;
        }
        return ctx;
}

int nrd_hash_md5_update(hash_md5_ctx *ctx, const void *data, size_t len)
{
        if (len && EVP_DigestUpdate(ctx->md, data, len) != 1)
                return nrd_error(NEREID_ERROR, "MD5: digest update failed");
        return 0;
}

int nrd_hash_md5_final(hash_md5_ctx *ctx, char out[NEREID_MD5_HEXLEN + 1])
{
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int dlen = 0;
        int error = 0;

        out[0] = '\0';
        if (EVP_DigestFinal_ex(ctx->md, digest, &dlen) != 1 || dlen * 2 != NEREID_MD5_HEXLEN)
                error = nrd_error(NEREID_ERROR, "MD5: digest final failed");
        else
                hash_to_hex(digest, dlen, out);
        nrd_hash_md5_free(ctx);
        return error;
}

void nrd_hash_md5_free(hash_md5_ctx *ctx)
{
        if (!ctx)
                return;
        EVP_MD_CTX_free(ctx->md);
        free(ctx);
}

/* Read fd to EOF into the MD5. With a size (has_size), ask for one byte
 * more than is left, so that the read which should find EOF is the one
 * that would show more data, and fail when it does: a file that grew, or
 * whose size lies (/proc files say 0). */
static int hash_md5_read(int fd, const char *name, unsigned char *buffer, int has_size,
                         uint64_t size, char out[NEREID_MD5_HEXLEN + 1], uint64_t *nread)
{
        unsigned char *owned = NULL;
        hash_md5_ctx *ctx = NULL;
        uint64_t total = 0;
        ssize_t n;
        int error = NEREID_ERROR;

        out[0] = '\0';
        if (nread)
                *nread = 0;
        if (!name)
                name = "(unnamed file)";
        if (!buffer) {
                owned = nrd_malloc(NEREID_HASH_BLOCK);
                if (!owned) {
                        error = nrd_error_oom();
                        goto cleanup;
                }
                buffer = owned;
        }
        ctx = nrd_hash_md5_new();
        if (!ctx)
                goto cleanup;
        for (;;) {
                size_t want = NEREID_HASH_BLOCK;

                if (has_size && size - total < NEREID_HASH_BLOCK)
                        want = (size_t)(size - total) + 1;
                n = read(fd, buffer, want);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        error = nrd_error_os(nrd_error_from_errno(errno), errno, "read %s", name);
                        goto cleanup;
                }
                if (n == 0)
                        break;
                if (has_size && (uint64_t)n > size - total) {
                        error = nrd_error(NEREID_ERROR,
                                          "%s: holds more than its size of %llu bytes (it "
                                          "grew while being read, or its size is not true)",
                                          name, (unsigned long long)size);
                        goto cleanup;
                }
                if (nrd_hash_md5_update(ctx, buffer, (size_t)n) < 0)
                        goto cleanup;
                /* Read-ahead hint, only for files longer than a block: a
                 * syscall per small file would cost more than it saves. It
                 * fails on pipes, which are read all the same. */
                if (total == 0 && n == NEREID_HASH_BLOCK)
                        nrd_os_advise_sequential(fd);
                total += (uint64_t)n;
        }
        error = nrd_hash_md5_final(ctx, out);
        ctx = NULL;
        if (error < 0)
                goto cleanup;
        if (nread)
                *nread = total;
cleanup:
        nrd_hash_md5_free(ctx);
        free(owned);
        return error;
}

int nrd_hash_md5_fd_sized(int fd, const char *name, unsigned char *buffer, uint64_t size,
                          char out[NEREID_MD5_HEXLEN + 1], uint64_t *nread)
{
        return hash_md5_read(fd, name, buffer, 1, size, out, nread);
}

int nrd_hash_md5_fd(int fd, const char *name, unsigned char *buffer,
                    char out[NEREID_MD5_HEXLEN + 1], uint64_t *nread)
{
        return hash_md5_read(fd, name, buffer, 0, 0, out, nread);
}

/* The length first, then every digit in one loop without a branch per
 * digit: random hex digits made the branching loop mispredict on about
 * every other one (a listing checks 100,000 of these). */
static int hash_is_lower_hex(const char *s, size_t len)
{
        unsigned bad = 0;
        size_t i;

        if (!s || strnlen(s, len + 1) != len)
                return 0;
        for (i = 0; i < len; i++) {
                unsigned c = (unsigned char)s[i];

                bad |= (unsigned)((c - '0') > 9u) & (unsigned)((c - 'a') > 5u);
        }
        return !bad;
}

int nrd_hash_is_md5(const char *s)
{
        return hash_is_lower_hex(s, NEREID_MD5_HEXLEN);
}

int nrd_hash_is_sha256(const char *s)
{
        return hash_is_lower_hex(s, NEREID_HASH_HEXLEN);
}
