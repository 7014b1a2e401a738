/*
 * escape.c - the one escaping rule of everything the `nereid` command prints
 * from user data (run names and owners, field paths, file paths, S3 keys,
 * sources, the library's messages that quote them). Not for choosing what
 * to print (output.c) nor for JSON layout (output.c writes the punctuation).
 *
 * For a terminal, printable ASCII and valid UTF-8 characters that draw
 * something are written as they are; `\` becomes `\\`; newline, tab and
 * carriage return become `\n`, `\t`, `\r`; every other byte of a control
 * character (C0, DEL, C1), of an invisible or direction-changing format
 * character (U+200B-U+200F, U+2028-U+202E, U+2060-U+2069, U+FEFF), or of
 * invalid UTF-8 becomes `\xNN`. So a printed name never moves the cursor,
 * changes colours or hides text, and maps back to exactly one byte string.
 *
 * In JSON, a valid UTF-8 string is written exactly (the same characters
 * escaped as `\uXXXX`, so the JSON stays safe on a terminal); a string that
 * is not valid UTF-8 cannot be a JSON string, so its terminal form (above)
 * is written instead, and the item is never dropped.
 */
#include <string.h>
#include "escape.h"

/* Length of the valid UTF-8 sequence at p (not ASCII), its code point in
 * *cp; 0 when the bytes are not valid UTF-8 (overlong, surrogate, cut). */
static size_t escape_utf8(const unsigned char *p, unsigned *cp)
{
        unsigned c = p[0], min;
        size_t need, i;

        if ((c & 0xE0) == 0xC0)
                need = 1, *cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0)
                need = 2, *cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0)
                need = 3, *cp = c & 0x07, min = 0x10000;
        else
                return 0;
        for (i = 1; i <= need; i++) {
                if ((p[i] & 0xC0) != 0x80)
                        return 0;
                *cp = (*cp << 6) | (p[i] & 0x3F);
        }
        if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
                return 0;
        return need + 1;
}

/* 1 when a non-ASCII code point draws something and changes nothing else. */
static int escape_cp_safe(unsigned cp)
{
        return !(cp <= 0x9F || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
                 (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF);
}

/* 1 when s is valid UTF-8 throughout. */
static int escape_is_utf8(const unsigned char *p)
{
        unsigned cp;
        size_t n;

        for (; *p; p += n) {
                n = *p < 0x80 ? 1 : escape_utf8(p, &cp);
                if (!n)
                        return 0;
        }
        return 1;
}

/* Write an escape; inside a JSON string each of its backslashes is doubled. */
static void escape_put(FILE *f, const char *text, size_t len, int json)
{
        size_t i;

        for (i = 0; i < len; i++) {
                if (json && text[i] == '\\')
                        putc('\\', f);
                putc(text[i], f);
        }
}

/*
 * Walk s: runs of characters written as they are go to f in one fwrite
 * (only counted when f is NULL); each other byte goes through its escape.
 * With json, the result is the body of a JSON string whose value is the
 * terminal form. Returns the columns of the terminal form.
 */
static size_t escape_text(FILE *f, const char *s, int json)
{
        static const char hex[] = "0123456789abcdef";
        const unsigned char *p = (const unsigned char *)s, *run = p;
        size_t cols = 0;

        while (*p) {
                unsigned cp;
                size_t n = 0, i;

                if (*p >= 0x20 && *p < 0x7F && *p != '\\' && !(json && *p == '"')) {
                        p++, cols++;
                        continue;
                }
                if (*p >= 0x80 && (n = escape_utf8(p, &cp)) != 0 && escape_cp_safe(cp)) {
                        p += n, cols++;
                        continue;
                }
                if (f && p > run)
                        fwrite(run, 1, (size_t)(p - run), f);
                if (!n)
                        n = 1; /* an invalid byte alone */
                for (i = 0; i < n; i++) {
                        char esc[4] = {'\\', 'x', hex[p[i] >> 4], hex[p[i] & 15]};
                        size_t len = 2;

                        if (p[i] == '\\')
                                esc[1] = '\\';
                        else if (p[i] == '\n')
                                esc[1] = 'n';
                        else if (p[i] == '\t')
                                esc[1] = 't';
                        else if (p[i] == '\r')
                                esc[1] = 'r';
                        else if (p[i] == '"') /* only in JSON: \" there */
                                esc[1] = '"';
                        else
                                len = 4;
                        if (f && p[i] == '"')
                                fwrite(esc, 1, 2, f);
                        else if (f)
                                escape_put(f, esc, len, json);
                        cols += p[i] == '"' ? 1 : len;
                }
                p += n;
                run = p;
        }
        if (f && p > run)
                fwrite(run, 1, (size_t)(p - run), f);
        return cols;
}

void escape_write(FILE *f, const char *s)
{
        escape_text(f, s ? s : "", 0);
}

size_t escape_width(const char *s)
{
        return escape_text(NULL, s ? s : "", 0);
}

void escape_write_padded(FILE *f, const char *s, size_t width)
{
        size_t cols = escape_text(f, s ? s : "", 0);

        for (; cols < width; cols++)
                putc(' ', f);
}

/* The body of a JSON string from valid UTF-8. */
static void escape_json_utf8(FILE *f, const unsigned char *p)
{
        static const char hex[] = "0123456789abcdef";
        const unsigned char *run = p;

        while (*p) {
                unsigned cp = *p;
                size_t n = 1;
                char u[7];

                if (*p >= 0x20 && *p < 0x7F && *p != '"' && *p != '\\') {
                        p++;
                        continue;
                }
                if (*p >= 0x80) {
                        n = escape_utf8(p, &cp);
                        if (escape_cp_safe(cp)) {
                                p += n;
                                continue;
                        }
                }
                if (p > run)
                        fwrite(run, 1, (size_t)(p - run), f);
                if (cp == '"' || cp == '\\') {
                        putc('\\', f);
                        putc((int)cp, f);
                } else if (cp == '\n') {
                        fputs("\\n", f);
                } else if (cp == '\t') {
                        fputs("\\t", f);
                } else if (cp == '\r') {
                        fputs("\\r", f);
                } else {
                        /* Every code point escaped here is in the BMP. */
                        u[0] = '\\', u[1] = 'u';
                        u[2] = hex[(cp >> 12) & 15], u[3] = hex[(cp >> 8) & 15];
                        u[4] = hex[(cp >> 4) & 15], u[5] = hex[cp & 15], u[6] = 0;
                        fputs(u, f);
                }
                p += n;
                run = p;
        }
        if (p > run)
                fwrite(run, 1, (size_t)(p - run), f);
}

void escape_json(FILE *f, const char *s)
{
        const unsigned char *p = (const unsigned char *)(s ? s : "");

        putc('"', f);
        if (escape_is_utf8(p))
                escape_json_utf8(f, p);
        else
                escape_text(f, (const char *)p, 1); /* the terminal form, as JSON */
        putc('"', f);
}
