#!/usr/bin/env bash
# local_print_names.sh - user data is never reinterpreted or sent raw to a
# terminal (items: show crash on a newline in a name, terminal injection):
# run names and owners holding newlines, tabs, escape sequences or invalid
# UTF-8 are shown escaped in every table, kept exactly in JSON (which stays
# valid and never drops an item), and file names, warnings and errors that
# quote user data are escaped too.
. "$(dirname "$0")/lib.sh"

# no_raw_controls TEXT WHAT: TEXT holds no control byte but newline, and no
# invalid UTF-8.
no_raw_controls() {
	if printf '%s' "$1" | LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]'; then
		bad "$2: a raw control byte was printed"
	elif ! printf '%s' "$1" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
		bad "$2: invalid UTF-8 was printed"
	else
		ok
	fi
}

# A JSON document and a Python expression over it (j), printed.
json_eval() {
	printf '%s' "$1" | py 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"
}

EVIL_NAME=$'x\nmodel/weights\t0000000000000000000000000000000000000000000000000000000000000000'

# --- a newline in the owner, a newline and a tab in the name: show works ---
R1="$(USER=$'eve\n' nereid run new --name "$EVIL_NAME")" || fail "run new with a newline in USER"
expect_exit 0 nereid show "$R1"
expect_eq 7 "$(printf '%s\n' "$OUT" | grep -c '')" "show: header and six sys/ lines, one line each"
expect_contains 'sys/owner              eve\n' "$OUT" "show: the owner's newline escaped"
expect_contains 'sys/name               x\nmodel/weights\t000' "$OUT" "show: the name escaped"
no_raw_controls "$OUT" "show"

expect_exit 0 nereid show "$R1" --json
expect_eq "['sys/creation_time', 'sys/id', 'sys/modification_time', 'sys/name', 'sys/owner', 'sys/uuid']" \
	"$(json_eval "$OUT" 'list(j)')" "show --json: no field made up from the name"
py 'import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if j["sys/name"]==sys.argv[2] and j["sys/owner"]=="eve\n" else 1)' \
	"$OUT" "$EVIL_NAME" && ok || bad "show --json: name and owner kept exactly"

# --- escape sequences: never reach the terminal raw ---
R2="$(nereid run new --name $'\e]0;owned\a\e[2J\e[31mred\u202egnp.exe')" || fail "run new with escapes"
for cmd in "show $R2" "show $R2 --json" "runs" "runs --json"; do
	# shellcheck disable=SC2086
	expect_exit 0 nereid $cmd
	no_raw_controls "$OUT" "$cmd"
done
expect_exit 0 nereid show "$R2"
expect_contains '\x1b]0;owned\x07\x1b[2J\x1b[31mred\xe2\x80\xaegnp.exe' "$OUT" \
	"show: escapes and the right-to-left override written as \\xNN"
expect_exit 0 nereid runs --json
py 'import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if j[1]["name"]=="\x1b]0;owned\x07\x1b[2J\x1b[31mred\u202egnp.exe" else 1)' \
	"$OUT" && ok || bad "runs --json: the name exactly"

# --- invalid UTF-8 (a store written by another client): no run dropped ---
R3="$(nereid run new --name placeholder)" || fail "run new"
N3="${R3##*-}"
sqlite3 "$NEREID_HOME/store.db" \
	"UPDATE runs SET name = CAST(X'6261642dff2d5c2d0a' AS TEXT), owner = CAST(X'c0af' AS TEXT) WHERE number = $N3" ||
	fail "sqlite3 update"
expect_exit 0 nereid runs --json
expect_eq "3" "$(json_eval "$OUT" 'len(j)')" "runs --json: the run with invalid UTF-8 is listed"
expect_eq 'bad-\xff-\\-\n' "$(json_eval "$OUT" 'j[2]["name"]')" \
	"runs --json: invalid UTF-8 in its escaped form"
expect_eq '\xc0\xaf' "$(json_eval "$OUT" 'j[2]["owner"]')" "runs --json: an overlong owner escaped"
no_raw_controls "$OUT" "runs --json"
expect_exit 0 nereid runs
expect_eq 4 "$(printf '%s\n' "$OUT" | grep -c '')" "runs: one line per run"
expect_contains 'bad-\xff-\\-\n' "$OUT" "runs: invalid UTF-8 escaped"
no_raw_controls "$OUT" "runs"
expect_exit 0 nereid show "$R3" --json
expect_eq 'bad-\xff-\\-\n' "$(json_eval "$OUT" 'j["sys/name"]')" "show --json: invalid UTF-8 escaped"

# --- file names: tables, JSON, diff and status lines ---
mkdir -p d
printf a >d/$'f\e]0;pwn\a'
printf b >d/$'new\nline'
printf c >"d/back\\slash"
printf d >d/'plain é.txt'
expect_exit 0 nereid track "$R1:data" d
expect_exit 0 nereid ls "$R1:data"
expect_eq 5 "$(printf '%s\n' "$OUT" | grep -c '')" "ls: one line per record"
expect_contains 'f\x1b]0;pwn\x07' "$OUT" "ls: escape sequence escaped"
expect_contains 'new\nline' "$OUT" "ls: newline escaped"
expect_contains 'back\\slash' "$OUT" "ls: a backslash doubled, so every printed name maps back"
expect_contains 'plain é.txt' "$OUT" "ls: printable UTF-8 kept"
no_raw_controls "$OUT" "ls"
expect_exit 0 nereid ls "$R1:data" --json
expect_eq "['back\\\\slash', 'f\\x1b]0;pwn\\x07', 'new\\nline', 'plain é.txt']" \
	"$(json_eval "$OUT" '[r["file_path"] for r in j]')" "ls --json: names exactly"
no_raw_controls "$OUT" "ls --json"
rm d/$'new\nline'
printf e >d/$'added\e[1m'
expect_exit 1 nereid status "$R1:data"
expect_contains 'removed new\nline' "$OUT" "status: a removed name escaped"
expect_contains 'added added\x1b[1m' "$OUT" "status: an added name escaped"
no_raw_controls "$OUT" "status"
expect_exit 0 nereid track "$R1:data2" d
expect_exit 1 nereid diff "$R1:data" "$R1:data2" --json
expect_eq "['added\\x1b[1m'] ['new\\nline']" "$(json_eval "$OUT" 'str(j["added"]) + " " + str(j["removed"])')" \
	"diff --json: names exactly"
expect_exit 1 nereid diff "$R1:data" "$R1:data2"
no_raw_controls "$OUT" "diff"

# --- warnings and errors that quote user data ---
mkfifo d/$'fifo\e[2J'
expect_exit 0 nereid track "$R1:data3" d
expect_contains 'fifo\x1b[2J' "$ERR" "warning: the name escaped"
no_raw_controls "$ERR" "warning"
expect_error 2 nereid hash $'SND-1:bad\e[31m'
no_raw_controls "$ERR" "error naming a field"
expect_error 2 nereid hash $'no\e[31mcolon'
no_raw_controls "$ERR" "error naming a reference"
expect_error 2 nereid $'frob\e[31m'
no_raw_controls "$ERR" "error naming a command"
expect_error 2 nereid ls "$R1:data" $'--x\e[31m'
no_raw_controls "$ERR" "error naming an option"
expect_error 3 nereid import "$R1:imp" $'missing\e[31m.json'
no_raw_controls "$ERR" "error naming a file"
expect_error 3 nereid track "$R1:t" $'missing\nfile'
no_raw_controls "$ERR" "error naming a path"

# --- property: 300 random byte strings as run names (from another client) ---
# JSON gives valid UTF-8 names exactly and others in their escaped form; the
# table gives every name escaped, one line each, no raw control byte.
cat >"$T/prop.py" <<'PY'
import json, os, random, sqlite3, subprocess, sys
random.seed(7)
nereid = os.environ["NEREID_BIN"]
db = sqlite3.connect(os.environ["NEREID_HOME"] + "/store.db")
pid = db.execute("SELECT id FROM projects WHERE name = 'ws/prop'").fetchone()[0]
alphabet = [b"a", b"\\", b'"', b"\n", b"\t", b"\r", b"\x1b", b"\x7f", b"\xc2\x85", b"\xe2\x80\xae",
            b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf0\x9f\x98\x80", "é".encode(), b"\xe2\x80",
            b"\x01", b"/", b" "]
names = [b"".join(random.choice(alphabet) for _ in range(random.randint(0, 8))) for _ in range(300)]
for i, n in enumerate(names):
    db.execute("INSERT INTO runs(project_id, number, name, owner, creation_time, modification_time)"
               " VALUES(?, ?, CAST(? AS TEXT), 'o', 't', 't')", (pid, i + 2, n))
db.commit()

def esc(b):
    out, i = "", 0
    while i < len(b):
        c = b[i]
        if 0x20 <= c < 0x7F and c != 0x5C:
            out += chr(c); i += 1; continue
        if c in (0x5C, 10, 9, 13):
            out += {0x5C: "\\\\", 10: "\\n", 9: "\\t", 13: "\\r"}[c]; i += 1; continue
        for L in (2, 3, 4) if c >= 0x80 else ():
            try:
                ch = b[i:i + L].decode("utf-8")
            except UnicodeDecodeError:
                continue
            cp = ord(ch)
            unsafe = cp <= 0x9F or 0x200B <= cp <= 0x200F or 0x2028 <= cp <= 0x202E \
                or 0x2060 <= cp <= 0x2069 or cp == 0xFEFF
            out += "".join("\\x%02x" % x for x in b[i:i + L]) if unsafe else ch
            i += L
            break
        else:
            out += "\\x%02x" % c; i += 1
    return out

j = json.loads(subprocess.run([nereid, "runs", "--json", "--project", "ws/prop"],
                              capture_output=True, check=True).stdout)[1:]
lines = subprocess.run([nereid, "runs", "--project", "ws/prop"], capture_output=True,
                       check=True).stdout.split(b"\n")[2:-1]
bad = 0 if len(j) == len(lines) == len(names) else 1
for k, n in enumerate(names[:len(j)]):
    try:
        want = n.decode("utf-8")
    except UnicodeDecodeError:
        want = esc(n)
    bad += j[k]["name"] != want
    bad += not lines[k][14:].decode("utf-8").startswith((esc(n) or "-") + " ")
    bad += any(c < 0x20 or c == 0x7F for c in lines[k])
sys.exit(1 if bad else 0)
PY
expect_exit 0 nereid run new --project ws/prop
python3 "$T/prop.py" && ok || bad "random names: JSON exact or escaped, tables escaped"

e2e_done
