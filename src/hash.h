/*
 * hash.h - the hashes of SPEC section 3 (artifact and content hash over a
 * list of records) and the streamed MD5 of a file's contents, both through
 * OpenSSL's EVP interface.
 */
#ifndef NEREID_HASH_H
#define NEREID_HASH_H

#include <stddef.h>
#include <stdint.h>
#include "nereid.h"

#define NEREID_MD5_HEXLEN 32
/* Size of the read buffer of nrd_hash_md5_fd(). */
#define NEREID_HASH_BLOCK (1024 * 1024)

/* The artifact (content == 0) or content hash of files, which must be sorted
 * by file_path. out receives 64 hex chars and a NUL. */
int nrd_hash_files(const nereid_files *files, int content, char out[NEREID_HASH_HEXLEN + 1]);

/* Both hashes of files in one pass; either output may be NULL. */
int nrd_hash_files_pair(const nereid_files *files, char *artifact_out, char *content_out);

/* Both hashes computed record by record, for lists too large to hold: add
 * each record in file_path order (the caller checks the order), then final
 * once. A NULL from new has the error set. */
typedef struct nrd_hash_stream nrd_hash_stream;
nrd_hash_stream *nrd_hash_stream_new(void);
int nrd_hash_stream_add(nrd_hash_stream *h, const struct nereid_file *file);
int nrd_hash_stream_final(nrd_hash_stream *h, char artifact_out[NEREID_HASH_HEXLEN + 1],
                          char content_out[NEREID_HASH_HEXLEN + 1]);
void nrd_hash_stream_free(nrd_hash_stream *h);

/* MD5 of everything read from fd until EOF, in blocks of NEREID_HASH_BLOCK
 * through buffer (NULL: one is allocated). Stores the number of bytes read
 * in *nread. name is used in error messages. */
int nrd_hash_md5_fd(int fd, const char *name, unsigned char *buffer,
                    char out[NEREID_MD5_HEXLEN + 1], uint64_t *nread);

/* nrd_hash_md5_fd of a file that should hold size bytes (what fstat said):
 * reads to EOF, and fails naming the file as soon as it holds more than
 * size bytes (it grew, or its size lies, as /proc files do). Fewer bytes
 * are not an error here: *nread says how many, the caller compares. */
int nrd_hash_md5_fd_sized(int fd, const char *name, unsigned char *buffer, uint64_t size,
                          char out[NEREID_MD5_HEXLEN + 1], uint64_t *nread);

/* Incremental MD5 for data that arrives in pieces (downloads). */
typedef struct hash_md5_ctx hash_md5_ctx;
hash_md5_ctx *nrd_hash_md5_new(void);
int nrd_hash_md5_update(hash_md5_ctx *ctx, const void *data, size_t len);
/* Finish and free ctx. */
int nrd_hash_md5_final(hash_md5_ctx *ctx, char out[NEREID_MD5_HEXLEN + 1]);
void nrd_hash_md5_free(hash_md5_ctx *ctx);

/* 1 when s is exactly 32 lowercase hex chars (a plain MD5, not a multipart ETag). */
int nrd_hash_is_md5(const char *s);
/* 1 when s is exactly 64 lowercase hex chars. */
int nrd_hash_is_sha256(const char *s);

#endif
