/*
 * fileurl.h - the file:// URL a Local record's metadata.file_path holds
 * (RFC 8089 on RFC 3986, with non-ASCII kept as in an IRI, RFC 3987):
 * made from an absolute path when tracking, read back into the path when
 * downloading or re-scanning, and checked when records come from outside.
 * Not for what users type as a track path (local_location.c parses those).
 */
#ifndef NEREID_FILEURL_H
#define NEREID_FILEURL_H

/* The file:/// URL of an absolute path. Kept as they are: A-Z a-z 0-9
 * - . _ ~ ! $ & ' ( ) + , ; = : @ / and non-ASCII UTF-8 that an IRI allows
 * (U+00A0 and up, but not the private-use and non-characters); every other
 * byte is %XX, uppercase: '%', controls, space, " # < > ? [ \ ] ^ ` { | } *
 * and invalid UTF-8, and the ':' of a first segment that looks like a
 * Windows drive ("/C:"), so the URL means the same path to every parser.
 * Caller frees; NULL on ENOMEM (message set). */
char *nrd_fileurl_from_path(const char *path);

/* *path_out = the absolute path a file:// URL names ("file:///p" or
 * "file://localhost/p"), percent escapes decoded. A '%' not followed by two
 * hex digits is kept as it is (as WHATWG URL parsing does), so records
 * written raw before URLs were encoded still name their file. Errors
 * (NEREID_EINVALID, message naming url): not file://, another host, %00.
 * Caller frees *path_out. */
int nrd_fileurl_to_path(const char *url, char **path_out);

/* 0 when url is a well-formed file:// URL of an absolute file path, or
 * NEREID_EINVALID with a message "<where>: metadata.file_path \"url\": <why>":
 * host empty or localhost, every '%' followed by two hex digits, no %00,
 * no raw control character, '#', '?' or '\\' (they would change what the
 * URL names), no empty, "." or ".." segment (raw or escaped). Raw spaces
 * and other characters a URL parser escapes itself are accepted, so that
 * exports of trackers that wrote paths raw can be imported as they are. */
int nrd_fileurl_check(const char *url, const char *where);

#endif
