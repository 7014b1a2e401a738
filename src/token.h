/*
 * token.h - Nereid API tokens (SPEC section 8, HTTP API v1): making one
 * for a server, finding the server a token names, and the SHA-256 a server
 * keeps instead of the token. A token is
 *
 *     "nrd_" + base64url(SERVER_URL) + "_" + base64url(32 random bytes)
 *
 * without padding, the secret part always 43 characters (so the last '_'
 * before it is found by length, although '_' is a base64url character).
 * SERVER_URL is "http://" or "https://", a host (a name, an IPv4 address
 * or a bracketed IPv6 literal), an optional port and an optional path of
 * plain segments, with no trailing '/', no user, query or fragment, at
 * most NRD_TOKEN_URL_MAX bytes. Not for checking a token against a store
 * (the server's), nor for sending one (the client's).
 */
#ifndef NEREID_TOKEN_H
#define NEREID_TOKEN_H

#include <stddef.h>
#include "nereid.h"

/* The longest server URL a token may carry. */
#define NRD_TOKEN_URL_MAX 512
/* Characters of the secret part: base64url of 32 bytes, unpadded. */
#define NRD_TOKEN_SECRET_LEN 43
/* A buffer for any token: "nrd_" + 683 + "_" + 43 characters, and the NUL. */
#define NRD_TOKEN_BUFSIZE 768

/* EINVALID, naming what is wrong, unless url is a server URL as above. */
int nrd_token_check_url(const char *url);

/* A new token for the server at server_url (checked as nrd_token_check_url
 * does), its secret from OpenSSL RAND_bytes. */
int nrd_token_make(const char *server_url, char out[NRD_TOKEN_BUFSIZE]);

/* The server URL a token names, checked strictly: the prefix, the
 * base64url (canonical, no padding), the URL grammar, the secret's length
 * and alphabet. EINVALID with a one-line message that never holds the
 * secret. */
int nrd_token_server_url(const char *token, char out[NRD_TOKEN_URL_MAX + 1]);

/* SHA-256 of the whole token string, 64 lowercase hex digits (OpenSSL EVP). */
int nrd_token_hash(const char *token, char hex_out[NEREID_HASH_HEXLEN + 1]);

/* 1 when two hashes are equal, compared in constant time (CRYPTO_memcmp). */
int nrd_token_hash_equal(const char *a, const char *b);
/* 1 when token (may be NULL) has Nereid's "nrd_" prefix: a server's token,
 * which selects its server; any other (a Neptune token) selects none. */
int nrd_token_is_nereid(const char *token);

#endif
