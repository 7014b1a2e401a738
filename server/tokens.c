/*
 * tokens.c - the token form of docs/api/http.md as the server needs it:
 * make one (nrd_ + base64url of the server URL + _ + 43 characters of
 * base64url of 32 random bytes from RAND_bytes) and the SHA-256 hex of a
 * token string, the only thing the store keeps. A stand-in until the
 * library's token.c (nrd_token_make, nrd_token_hash) is merged; then these
 * two call it. Not the place for parsing a token's URL (the client's).
 */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "server.h"

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding of len bytes into out (cap bytes); -1 when it does not fit. */
static int b64url_encode(const unsigned char *in, size_t len, char *out, size_t cap)
{
        size_t o = 0, i;

        for (i = 0; i < len; i += 3) {
                unsigned v = (unsigned)in[i] << 16;
                size_t n = len - i < 3 ? len - i : 3, k;

                if (n > 1)
                        v |= (unsigned)in[i + 1] << 8;
                if (n > 2)
                        v |= in[i + 2];
                for (k = 0; k < n + 1; k++) {
                        if (o + 1 >= cap)
                                return -1;
                        out[o++] = b64url[(v >> (18 - 6 * k)) & 0x3f];
                }
        }
        out[o] = '\0';
        return 0;
}

int srv_token_make(const char *url, char *out, size_t cap)
{
        unsigned char secret[32];
        char enc_url[SRV_TOKEN_MAX], enc_secret[64];
        size_t len = strlen(url);
        int n;

        while (len && url[len - 1] == '/')
                len--;
        if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) || len > 512)
                return -1;
        if (RAND_bytes(secret, sizeof(secret)) != 1 ||
            b64url_encode((const unsigned char *)url, len, enc_url, sizeof(enc_url)) < 0 ||
            b64url_encode(secret, sizeof(secret), enc_secret, sizeof(enc_secret)) < 0)
                return -1;
        n = snprintf(out, cap, "nrd_%s_%s", enc_url, enc_secret);
        OPENSSL_cleanse(secret, sizeof(secret));
        OPENSSL_cleanse(enc_secret, sizeof(enc_secret));
        return n > 0 && (size_t)n < cap ? 0 : -1;
}

int srv_token_hash(const char *token, char hex[NEREID_HASH_HEXLEN + 1])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0, i;

        if (!token || strlen(token) > SRV_TOKEN_MAX ||
            EVP_Digest(token, strlen(token), md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
                return -1;
        for (i = 0; i < mdlen; i++)
                snprintf(hex + 2 * i, 3, "%02x", md[i]);
        return 0;
}
