/*
 * http.h - what the rest of the library needs of the http(s) store backend
 * (http.c) beyond its store_ops table: handing it the API token, and
 * finding the server a token names (SPEC section 8).
 */
#ifndef NEREID_STORE_HTTP_H
#define NEREID_STORE_HTTP_H

#include "store.h"

/* The http(s) backend's table (http.c). */
extern const store_ops nrd_store_http_ops;

/* The API token the next store opened on this thread sends (borrowed until
 * that open returns; NULL: none). store_ops.open takes no credentials, so
 * nrd_project_store_open sets it around nrd_store_open and clears it after;
 * the backend keeps its own copy, wiped when the store is closed. */
void nrd_store_http_token(const char *token);

/* The server a token names: "nrd_" + base64url(URL) + "_" + 43 characters
 * (docs/api/http.md). *url_out: the caller's copy; NEREID_EINVALID for a
 * token that has no server in it (the message never shows the token). */
int nrd_store_http_token_server(const char *token, char **url_out);

#endif
