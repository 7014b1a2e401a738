/*
 * s3_xml.h - the two XML documents the S3 driver reads: a ListObjectsV2
 * result, parsed as a stream (fed chunk by chunk as it arrives, one object
 * handed to a callback at a time, so memory is bounded per object and not
 * per page), and an <Error> body (its Code and Message). No network here.
 */
#ifndef NEREID_S3_XML_H
#define NEREID_S3_XML_H

#include <stddef.h>
#include <stdint.h>

/* Longest text accepted in one element (S3 keys are at most 1024 bytes). */
#define S3_XML_TEXT_MAX 65536

/* One <Contents> entry; strings are borrowed for the duration of the call. */
typedef struct s3_xml_object {
        const char *key;           /* exact bytes (UTF-8), entities decoded */
        const char *etag;          /* without the surrounding quotes; "" when absent */
        const char *last_modified; /* as sent, e.g. 2021-05-23T03:55:26.000Z; "" when absent */
        uint64_t size;
        int has_size;
} s3_xml_object;

/* Called for each object in document order; a negative return (with the
 * message set) stops the parse and is returned by nrd_s3_xml_list_feed. */
typedef int (*s3_xml_object_cb)(void *payload, const s3_xml_object *object);

typedef struct s3_xml_list s3_xml_list;

/* A parser for one ListObjectsV2 page; NULL on ENOMEM (message set). */
s3_xml_list *nrd_s3_xml_list_new(s3_xml_object_cb cb, void *payload);
/* Parse the next len bytes; final = 1 with the last (possibly empty) chunk.
 * Returns 0, the callback's code, or NEREID_ERROR for malformed XML, a
 * document type declaration, or an element text longer than
 * S3_XML_TEXT_MAX. After a failure, further calls return the same code. */
int nrd_s3_xml_list_feed(s3_xml_list *list, const char *data, size_t len, int final);
/* After the final feed: 1 when <IsTruncated> was "true". */
int nrd_s3_xml_list_truncated(const s3_xml_list *list);
/* After the final feed: <NextContinuationToken>, or NULL when absent;
 * borrowed, valid until the parser is freed. */
const char *nrd_s3_xml_list_next_token(const s3_xml_list *list);
void nrd_s3_xml_list_free(s3_xml_list *list);

/* Read <Error><Code> and <Message> from a whole error body. code and
 * message receive "" when absent or when the body is not such XML; both
 * are cut to their capacity. */
void nrd_s3_xml_error(const char *body, size_t len, char *code, size_t code_cap, char *message,
                      size_t message_cap);

/* Turn an ISO 8601 time as S3 sends it (2021-05-23T03:55:26.000Z, also
 * without fraction, or with a +hh:mm / -hh:mm offset) into
 * "YYYY-MM-DD HH:MM:SS" UTC. Returns 0, or -1 when it is not such a time. */
int nrd_s3_xml_time_to_utc(const char *iso, char out[20]);

#endif
