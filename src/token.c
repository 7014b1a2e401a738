/*
 * token.c - Nereid API tokens: made with OpenSSL's RAND_bytes, parsed
 * strictly (every byte of a token comes from a user or a request header),
 * hashed with SHA-256 through EVP. The format is token.h's. Not for the
 * store of tokens (store ops token_*), nor for HTTP.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "error.h"
#include "token.h"

#define TOKEN_PREFIX     "nrd_"
#define TOKEN_PREFIX_LEN 4
#define TOKEN_SECRET_RAW 32

static const char token_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url of len bytes, no padding, into out (room for 4 * (len + 2) / 3 + 1). */
static void token_b64url(const unsigned char *in, size_t len, char *out)
{
        size_t i, o = 0;

        for (i = 0; i + 2 < len; i += 3) {
                unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];

                out[o++] = token_alphabet[v >> 18 & 63];
                out[o++] = token_alphabet[v >> 12 & 63];
                out[o++] = token_alphabet[v >> 6 & 63];
                out[o++] = token_alphabet[v & 63];
        }
        if (len - i == 1) {
                unsigned v = (unsigned)in[i] << 16;

                out[o++] = token_alphabet[v >> 18 & 63];
                out[o++] = token_alphabet[v >> 12 & 63];
        } else if (len - i == 2) {
                unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;

                out[o++] = token_alphabet[v >> 18 & 63];
                out[o++] = token_alphabet[v >> 12 & 63];
                out[o++] = token_alphabet[v >> 6 & 63];
        }
        out[o] = '\0';
}

static int token_b64_value(char c)
{
        const char *p = c ? strchr(token_alphabet, c) : NULL;

        return p ? (int)(p - token_alphabet) : -1;
}

/* Decode len characters of unpadded base64url into out (room for
 * len * 3 / 4 bytes), canonically: only the alphabet, no length that
 * leaves a lone character, unused trailing bits zero. -1 otherwise. */
static int token_unb64url(const char *in, size_t len, unsigned char *out, size_t *out_len)
{
        unsigned acc = 0;
        size_t i, o = 0;
        int bits = 0;

        if (len % 4 == 1)
                return -1;
        for (i = 0; i < len; i++) {
                int v = token_b64_value(in[i]);

                if (v < 0)
                        return -1;
                acc = (acc << 6 | (unsigned)v) & 0xffffff;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (unsigned char)(acc >> bits & 0xff);
                }
        }
        if (bits && (acc & ((1u << bits) - 1)) != 0)
                return -1; /* not the canonical encoding */
        *out_len = o;
        return 0;
}

static int token_is_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The host of an http(s) URL: a name or IPv4 address of letters, digits,
 * '-' and '.', labels not empty; or "[...]", an IPv6 literal of hex digits,
 * ':' and '.'. Returns its length, 0 when it is not one. */
static size_t token_host_len(const char *h)
{
        size_t n = 0;

        if (h[0] == '[') {
                for (n = 1; (h[n] >= '0' && h[n] <= '9') || (h[n] >= 'a' && h[n] <= 'f') ||
                            (h[n] >= 'A' && h[n] <= 'F') || h[n] == ':' || h[n] == '.';
                     n++)
                        ;
                return h[n] == ']' && n >= 3 && memchr(h, ':', n) ? n + 1 : 0;
        }
        for (;;) {
                size_t label = 0;

                while (token_is_alnum(h[n]) || h[n] == '-') {
                        n++;
                        label++;
                }
                if (label == 0 || label > 63)
                        return 0;
                if (h[n] != '.')
                        break;
                n++;
        }
        return n <= 253 ? n : 0;
}

/* A printable form of url for a message: itself when it is printable
 * ASCII, else a placeholder (the bytes came from a token). */
static const char *token_shown(const char *url)
{
        const unsigned char *p;

        for (p = (const unsigned char *)url; *p; p++)
                if (*p < 0x21 || *p > 0x7e)
                        return "(not printable)";
        return url;
}

static int token_bad_url(const char *url, const char *why)
{
        return nrd_error(NEREID_EINVALID, "server address %.600s: %s", token_shown(url), why);
}

int nrd_token_check_url(const char *url)
{
        size_t len = strlen(url), n, digits;
        const char *p;
        unsigned long port = 0;

        if (len > NRD_TOKEN_URL_MAX)
                return nrd_error(NEREID_EINVALID, "server address: longer than %d bytes",
                                 NRD_TOKEN_URL_MAX);
        if (strncmp(url, "http://", 7) == 0)
                p = url + 7;
        else if (strncmp(url, "https://", 8) == 0)
                p = url + 8;
        else
                return token_bad_url(url, "not an http:// or https:// URL");
        if (!(n = token_host_len(p)))
                return token_bad_url(url, "no valid host (a name, an IPv4 address or [IPv6])");
        p += n;
        if (*p == ':') {
                for (digits = 0, p++; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
                        port = port * 10 + (unsigned long)(*p - '0');
                if (digits == 0 || port == 0 || port > 65535 || p[-(long)digits] == '0')
                        return token_bad_url(url, "the port is not 1-65535");
        }
        /* An optional path of plain segments: no ".", "..", empty segment,
         * trailing '/', or anything that would need escaping. */
        while (*p == '/') {
                const char *seg = ++p;

                while (token_is_alnum(*p) || (*p && strchr("-._~", *p)))
                        p++;
                if (p == seg || (p - seg == 1 && seg[0] == '.') ||
                    (p - seg == 2 && seg[0] == '.' && seg[1] == '.'))
                        return token_bad_url(url, "the path has an empty, \".\" or \"..\" "
                                                  "segment, or ends with '/'");
        }
        if (*p)
                return token_bad_url(url, "only a scheme, host, port and plain path are allowed "
                                          "(no user, query, fragment or escapes)");
        return 0;
}

int nrd_token_make(const char *server_url, char out[NRD_TOKEN_BUFSIZE])
{
        unsigned char secret[TOKEN_SECRET_RAW];
        char url_part[(NRD_TOKEN_URL_MAX + 2) / 3 * 4 + 1], secret_part[48];
        int rc;

        out[0] = '\0';
        if ((rc = nrd_token_check_url(server_url)) < 0)
                return rc;
        if (RAND_bytes(secret, sizeof(secret)) != 1)
                return nrd_error(NEREID_ERROR, "token: no random bytes from OpenSSL");
        token_b64url((const unsigned char *)server_url, strlen(server_url), url_part);
        token_b64url(secret, sizeof(secret), secret_part);
        OPENSSL_cleanse(secret, sizeof(secret));
        snprintf(out, NRD_TOKEN_BUFSIZE, "%s%s_%s", TOKEN_PREFIX, url_part, secret_part);
        OPENSSL_cleanse(secret_part, sizeof(secret_part));
        return 0;
}

int nrd_token_server_url(const char *token, char out[NRD_TOKEN_URL_MAX + 1])
{
        unsigned char url[NRD_TOKEN_BUFSIZE], secret[64];
        size_t len, url_len = 0, secret_len = 0, encoded;
        int rc;

        out[0] = '\0';
        len = strnlen(token, NRD_TOKEN_BUFSIZE);
        if (strncmp(token, TOKEN_PREFIX, TOKEN_PREFIX_LEN) != 0)
                return nrd_error(NEREID_EINVALID,
                                 "API token: not a Nereid token (they start with \"nrd_\")");
        if (len >= NRD_TOKEN_BUFSIZE)
                return nrd_error(NEREID_EINVALID, "API token: longer than %d characters",
                                 NRD_TOKEN_BUFSIZE - 1);
        if (len < TOKEN_PREFIX_LEN + 2 + 1 + NRD_TOKEN_SECRET_LEN ||
            token[len - NRD_TOKEN_SECRET_LEN - 1] != '_')
                return nrd_error(NEREID_EINVALID,
                                 "API token: too short, or damaged (no secret "
                                 "part of %d characters at its end)",
                                 NRD_TOKEN_SECRET_LEN);
        if (token_unb64url(token + len - NRD_TOKEN_SECRET_LEN, NRD_TOKEN_SECRET_LEN, secret,
                           &secret_len) < 0 ||
            secret_len != TOKEN_SECRET_RAW) {
                OPENSSL_cleanse(secret, sizeof(secret));
                return nrd_error(NEREID_EINVALID, "API token: damaged (its secret part is not "
                                                  "base64url)");
        }
        OPENSSL_cleanse(secret, sizeof(secret));
        encoded = len - TOKEN_PREFIX_LEN - 1 - NRD_TOKEN_SECRET_LEN;
        if (token_unb64url(token + TOKEN_PREFIX_LEN, encoded, url, &url_len) < 0)
                return nrd_error(NEREID_EINVALID, "API token: damaged (the server address "
                                                  "inside is not base64url)");
        if (url_len > NRD_TOKEN_URL_MAX || memchr(url, '\0', url_len))
                return nrd_error(NEREID_EINVALID,
                                 "API token: the server address inside is not a URL");
        url[url_len] = '\0';
        if ((rc = nrd_token_check_url((const char *)url)) < 0)
                return rc;
        memcpy(out, url, url_len + 1);
        return 0;
}

int nrd_token_hash(const char *token, char hex_out[NEREID_HASH_HEXLEN + 1])
{
        static const char hex[] = "0123456789abcdef";
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0, i;

        hex_out[0] = '\0';
        if (EVP_Digest(token, strlen(token), md, &md_len, EVP_sha256(), NULL) != 1 ||
            md_len * 2 != NEREID_HASH_HEXLEN)
                return nrd_error(NEREID_ERROR, "API token: SHA-256 failed (OpenSSL)");
        for (i = 0; i < md_len; i++) {
                hex_out[2 * i] = hex[md[i] >> 4];
                hex_out[2 * i + 1] = hex[md[i] & 15];
        }
        hex_out[NEREID_HASH_HEXLEN] = '\0';
        return 0;
}

int nrd_token_hash_equal(const char *a, const char *b)
{
        if (strlen(a) != NEREID_HASH_HEXLEN || strlen(b) != NEREID_HASH_HEXLEN)
                return 0;
        return CRYPTO_memcmp(a, b, NEREID_HASH_HEXLEN) == 0;
}

int nrd_token_is_nereid(const char *token)
{
        return token && strncmp(token, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1) == 0;
}
