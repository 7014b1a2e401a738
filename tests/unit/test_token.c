/*
 * test_token.c - unit tests of src/token.c: tokens made for a server name
 * it, every damaged or hostile token is refused with a one-line message
 * that never holds the secret, and the SHA-256 is the known one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "error.h"
#include "token.h"

/* "nrd_" + base64url("http://127.0.0.1:8642") + "_" + 43 'A'. */
#define GOOD "nrd_aHR0cDovLzEyNy4wLjAuMTo4NjQy_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static void check_url(const char *url, int ok)
{
        int rc = nrd_token_check_url(url);

        if ((rc == 0) != ok)
                fprintf(stderr, "url \"%s\": rc %d (%s)\n", url, rc, nereid_error_last());
        CHECK(ok ? rc == 0 : rc == NEREID_EINVALID);
}

static void test_urls(void)
{
        char longest[NRD_TOKEN_URL_MAX + 2];

        check_url("http://127.0.0.1:8642", 1);
        check_url("https://nereid.example.com", 1);
        check_url("https://nereid.example.com:443/team/nereid", 1);
        check_url("http://[::1]:8642", 1);
        check_url("http://localhost:1", 1);
        check_url("http://localhost:65535", 1);
        check_url("ftp://host", 0);
        check_url("HTTP://host", 0);
        check_url("http://", 0);
        check_url("http://host/", 0);
        check_url("http://host:", 0);
        check_url("http://host:0", 0);
        check_url("http://host:65536", 0);
        check_url("http://host:08642", 0);
        check_url("http://user:pw@host", 0);
        check_url("http://host?x=1", 0);
        check_url("http://host#f", 0);
        check_url("http://host/a/../b", 0);
        check_url("http://host/a//b", 0);
        check_url("http://host/a%2fb", 0);
        check_url("http://host/a\\b", 0);
        check_url("http://ho st", 0);
        check_url("http://host.", 0);
        check_url("http://.host", 0);
        check_url("http://[::1", 0);
        check_url("http://[]", 0);
        check_url("http://host\n", 0);
        memcpy(longest, "http://", 7);
        memset(longest + 7, 'a', sizeof(longest) - 8);
        longest[sizeof(longest) - 1] = '\0';
        check_url(longest, 0);
        CHECK(strstr(nereid_error_last(), "longer than") != NULL);
}

static void test_round_trip(void)
{
        static const char *const urls[] = {"http://127.0.0.1:8642", "https://a.example.com/x/y",
                                           "http://[::1]:1", "https://b"};
        char token[NRD_TOKEN_BUFSIZE], other[NRD_TOKEN_BUFSIZE], url[NRD_TOKEN_URL_MAX + 1];
        char h1[NEREID_HASH_HEXLEN + 1], h2[NEREID_HASH_HEXLEN + 1];
        size_t i;

        for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
                CHECK(nrd_token_make(urls[i], token) == 0);
                CHECK(strncmp(token, "nrd_", 4) == 0);
                CHECK(token[strlen(token) - NRD_TOKEN_SECRET_LEN - 1] == '_');
                CHECK(strspn(token, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789-_") == strlen(token));
                CHECK(nrd_token_server_url(token, url) == 0);
                CHECK_STR(url, urls[i]);
        }
        /* Two tokens for one server differ, and so do their hashes. */
        CHECK(nrd_token_make(urls[0], token) == 0);
        CHECK(nrd_token_make(urls[0], other) == 0);
        CHECK(strcmp(token, other) != 0);
        CHECK(nrd_token_hash(token, h1) == 0 && nrd_token_hash(other, h2) == 0);
        CHECK(!nrd_token_hash_equal(h1, h2));
        CHECK(nrd_token_hash_equal(h1, h1));
        CHECK(!nrd_token_hash_equal(h1, "short"));
        /* The URL is checked before a token is made. */
        CHECK(nrd_token_make("http://host/", token) == NEREID_EINVALID);
        CHECK_STR(token, "");
}

static void check_bad(const char *token, const char *part)
{
        char url[NRD_TOKEN_URL_MAX + 1] = "x";

        CHECK(nrd_token_server_url(token, url) == NEREID_EINVALID);
        CHECK_STR(url, "");
        if (part && !strstr(nereid_error_last(), part))
                fprintf(stderr, "token \"%.60s\": \"%s\" lacks \"%s\"\n", token,
                        nereid_error_last(), part);
        if (part)
                CHECK(strstr(nereid_error_last(), part) != NULL);
        /* The message is one line and never holds the secret part. */
        CHECK(strchr(nereid_error_last(), '\n') == NULL);
        if (strlen(token) > NRD_TOKEN_SECRET_LEN)
                CHECK(strstr(nereid_error_last(), token + strlen(token) - NRD_TOKEN_SECRET_LEN) ==
                      NULL);
}

static void test_parse(void)
{
        char url[NRD_TOKEN_URL_MAX + 1], big[NRD_TOKEN_BUFSIZE + 8];

        CHECK(nrd_token_server_url(GOOD, url) == 0);
        CHECK_STR(url, "http://127.0.0.1:8642");
        check_bad("", "start with");
        check_bad("xrd_aHR0cDovLzEyNy4wLjAuMTo4NjQy_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                  "start with");
        check_bad("NRD_aHR0cDovLzEyNy4wLjAuMTo4NjQy_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                  "start with");
        check_bad("nrd_", "too short");
        /* The secret one character short, or long. */
        check_bad("nrd_aHR0cDovLzEyNy4wLjAuMTo4NjQy_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                  NULL);
        check_bad("nrd_aHR0cDovLzEyNy4wLjAuMTo4NjQy_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                  NULL);
        /* A secret that is not canonical base64url (low bits set), or not base64url. */
        check_bad("nrd_aHR0cDovLzEyNy4wLjAuMTo4NjQy_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",
                  "secret part");
        check_bad("nrd_aHR0cDovLzEyNy4wLjAuMTo4NjQy_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                  "secret part");
        check_bad("nrd_aHR0cDovLzEyNy4wLjAuMTo4NjQy_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+/A",
                  "secret part");
        /* Padding, standard base64 or a space in the address part. */
        check_bad("nrd_aHR0cDovLzEyNy4wLjAuMTo4NjQ=_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                  "base64url");
        check_bad("nrd_aHR0cDov LzEyNy4wLjAuMTo4NjQy_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                  "base64url");
        /* base64url("ftp://x"), base64url("http://h/") and of "http://h\0x". */
        check_bad("nrd_ZnRwOi8veA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "http");
        check_bad("nrd_aHR0cDovL2gv_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "path");
        check_bad("nrd_aHR0cDovL2gAeA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not a URL");
        /* An address of the wrong size, a token past the bound. */
        memset(big, 'A', sizeof(big));
        memcpy(big, "nrd_", 4);
        big[sizeof(big) - NRD_TOKEN_SECRET_LEN - 2] = '_';
        big[sizeof(big) - 1] = '\0';
        check_bad(big, "longer than");
}

static void test_hash(void)
{
        char hex[NEREID_HASH_HEXLEN + 1];

        /* SHA-256("abc"), FIPS 180-2's vector. */
        CHECK(nrd_token_hash("abc", hex) == 0);
        CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        CHECK(nrd_token_hash(GOOD, hex) == 0);
        CHECK(strlen(hex) == NEREID_HASH_HEXLEN);
}

int main(void)
{
        test_urls();
        test_round_trip();
        test_parse();
        test_hash();
        return CHECK_DONE();
}
