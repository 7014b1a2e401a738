#!/usr/bin/env bash
# local_cli_options.sh - the command line itself: every command has --help
# (usage on stdout, exit 0), `nereid` alone prints the usage and exits 1 as
# git does, --help and --version at the top, `--` ends the options, an
# option that does not apply to a command is refused (exit 2) naming the
# option and the command, --opt=value works.
. "$(dirname "$0")/lib.sh"

COMMANDS=("run new" track hash ls download assign import show runs diff status "project new")

# --- nereid alone, nereid --help, nereid --version ---
expect_exit 1 nereid
expect_contains "usage: nereid" "$OUT" "nereid alone: the usage on stdout"
expect_eq "" "$ERR" "nereid alone: nothing on stderr"
for cmd in "${COMMANDS[@]}"; do
	expect_contains "  $cmd " "$OUT" "the usage lists $cmd"
done
for h in --help -h help; do
	expect_exit 0 nereid $h
	expect_contains "usage: nereid" "$OUT" "nereid $h: the usage on stdout"
	expect_eq "" "$ERR" "nereid $h: nothing on stderr"
done
expect_exit 0 nereid --version
expect_match '^nereid [0-9]+\.[0-9]+\.[0-9]+$' "$OUT" "--version"

# --- every command's --help: its usage on stdout, exit 0, nothing done ---
for cmd in "${COMMANDS[@]}"; do
	# shellcheck disable=SC2086
	for h in --help -h; do
		expect_exit 0 nereid $cmd $h
		expect_contains "usage: nereid $cmd" "$OUT" "nereid $cmd $h: its usage"
		expect_eq "" "$ERR" "nereid $cmd $h: nothing on stderr"
	done
	# shellcheck disable=SC2086
	expect_exit 0 nereid help $cmd
	expect_contains "usage: nereid $cmd" "$OUT" "nereid help $cmd"
done
# --help wins over bad arguments, and nothing runs.
expect_exit 0 nereid run new --name x --help
expect_exit 0 nereid runs --json
expect_eq "[]" "$OUT" "run new --help made no run"
expect_exit 0 nereid ls --frobnicate --help
expect_exit 0 nereid run --help
expect_contains "new" "$OUT" "nereid run --help lists its subcommands"
expect_contains "--destination D" "$(nereid download --help)" "download --help lists its options"
expect_contains "--copy" "$(nereid download --help)" "download --help lists --copy"
expect_contains "6 other failure" "$(nereid status --help)" "status --help gives its exit codes"

# --- options that do not apply are refused, naming option and command ---
R="$(new_run)"
mkdir -p d && echo x >d/f
expect_exit 0 nereid track "$R:f" d
for bad in "hash $R:f --json" "ls $R:f --copy" "ls $R:f --destination x" "show $R --content" \
	"runs --name x" "status $R:f --key ABC" "download $R:f --json" "run new --json" \
	"project new ws/p --project ws/q" "diff $R:f $R:f --copy" "assign $R:g $R:f --name n" \
	"track $R:g d --json" "hash $R:f --key ABC"; do
	set -- $bad
	cmd="$1"
	[ "$cmd" = run ] || [ "$cmd" = project ] && cmd="$1 $2"
	opt="$(printf '%s\n' "$@" | grep -- '^--' | head -1)"
	# shellcheck disable=SC2086
	expect_error 2 nereid $bad
	expect_contains "$cmd" "$ERR" "refusal of $opt names the command $cmd"
	expect_contains "$opt" "$ERR" "refusal names the option $opt"
done
expect_error 2 nereid track "$R:g" d --name other
expect_contains "--name" "$ERR" "track into an existing run refuses --name"
expect_error 2 nereid ls "$R:f" --json=yes
expect_error 2 nereid ls "$R:f" --no-such-option
expect_contains "--no-such-option" "$ERR" "an unknown option is named"
expect_error 2 nereid --project ws/p runs
expect_error 2 nereid run
expect_contains "new" "$ERR" "nereid run names the subcommands"
expect_error 2 nereid frobnicate
expect_contains "unknown command" "$ERR" "an unknown command"
expect_error 2 nereid ls "$R:f" --workers
expect_error 2 nereid ls "$R:f" --workers -1
expect_error 2 nereid ls "$R:f" extra

# status takes --json as diff does; track makes a named run only when it makes one.
expect_exit 0 nereid status "$R:f" --json
expect_eq '{"added":[],"removed":[],"changed":[]}' "$OUT" "status --json"
expect_exit 0 nereid track named d --name "my run"
R4="${OUT%% *}"
expect_exit 0 nereid show "$R4" --json
expect_contains '"sys/name":"my run"' "$OUT" "track --name names the new run"

# --- --opt=value, and -- ending the options ---
expect_exit 0 nereid hash "$R:f" --mode=read-only
expect_exit 0 nereid hash --content -- "$R:f"
mkdir -p ./-dash && echo y >./-dash/g
expect_exit 0 nereid track "$R:dash" -- -dash
expect_exit 0 nereid ls "$R:dash" --json
expect_contains '"file_path":"g"' "$OUT" "a path that starts with - after --"
expect_error 2 nereid hash -- "$R:f" --content
expect_contains "too many arguments" "$ERR" "after --, --content is an argument"
expect_exit 0 nereid run new --name=--json
R2="$OUT"
expect_exit 0 nereid show "$R2" --json
expect_contains '"sys/name":"--json"' "$OUT" "--name=--json names the run --json"
expect_exit 0 nereid run new --name --
R3="$OUT"
expect_exit 0 nereid show "$R3" --json
expect_contains '"sys/name":"--"' "$OUT" "an option's value may be --"

e2e_done
