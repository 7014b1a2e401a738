#!/usr/bin/env python3
"""Independent reference of SPEC section 3 (artifact and content hash).

Reads a JSON array of file records (SPEC section 2, e.g. the output of
`nereid ls RUN:FIELD --json`) on stdin and prints the artifact hash, or the
content hash with --content. Used by the end-to-end tests to check the C
implementation against a second, independent one.
"""
import hashlib
import json
import struct
import sys


def length_prefixed(s):
    # L(s): be32(number of Unicode code points) then the UTF-8 bytes.
    return struct.pack(">I", len(s)) + s.encode("utf-8")


def artifact_hash(records, content=False):
    h = hashlib.sha256()
    # Sorted bytewise by file_path (UTF-8 bytes, not code points).
    for rec in sorted(records, key=lambda r: r["file_path"].encode("utf-8")):
        h.update(b"#" + length_prefixed(rec["file_path"]))
        h.update(b"#" + rec["file_hash"].encode("utf-8"))
        # The "#" is always written; only be64(size) is left out for a null
        # size (test vector 3 of SPEC section 3 pins this reading).
        h.update(b"#")
        if rec.get("size") is not None:
            h.update(struct.pack(">Q", rec["size"]))
        h.update(b"#" + length_prefixed(rec["type"]))
        if not content:
            h.update(b"#")
            meta = rec.get("metadata") or {}
            for key in sorted(meta, key=lambda k: k.encode("utf-8")):
                h.update(b"|" + length_prefixed(key))
                h.update(b"|" + length_prefixed(meta[key]))
    return h.hexdigest()


def main():
    content = "--content" in sys.argv[1:]
    records = json.load(sys.stdin)
    print(artifact_hash(records, content))


if __name__ == "__main__":
    main()
