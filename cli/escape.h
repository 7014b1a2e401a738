/*
 * escape.h - user data made safe to print: names, keys, paths and the
 * library's messages (which quote them) on a terminal, and strings in JSON.
 * Only escaping; what is printed where is output.c and main.c.
 */
#ifndef NEREID_CLI_ESCAPE_H
#define NEREID_CLI_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Write s to f escaped for a terminal (see escape.c for the rule). */
void escape_write(FILE *f, const char *s);
/* The columns s takes once escaped (one per character). */
size_t escape_width(const char *s);
/* Write s escaped, then spaces up to width columns. */
void escape_write_padded(FILE *f, const char *s, size_t width);
/* Write s as a JSON string, quotes included: always valid JSON. */
void escape_json(FILE *f, const char *s);

#endif
