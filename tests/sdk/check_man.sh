#!/bin/bash
# check_man.sh PROGRAM PAGE: the manual page PAGE is true to `PROGRAM --help`: every long option
# --help prints is an item of the page and every option item of the page is in --help, and the
# page renders with groff without a single warning (groff-base, scripts/install-deps.sh).
set -euo pipefail
program=$1 page=$2
name=$(basename "$program")
fail() { echo "FAIL [man $name]: $*" >&2; exit 1; }

command -v groff >/dev/null || fail "groff is missing (Debian package groff-base)"
[[ -x $program ]] || fail "$program is not an executable"
[[ -s $page ]] || fail "$page is missing or empty"

# Renders without warnings: -ww turns every warning on, -z discards the output.
warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || fail "groff failed on $page: $warnings"
[[ -z $warnings ]] || fail "groff warns about $page:"$'\n'"$warnings"

help=$("$program" --help) || fail "$program --help exited non-zero"
mapfile -t help_opts < <(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u)
((${#help_opts[@]} > 0)) || fail "$program --help printed no long option"

# The rendered page as plain text; an option item starts its line at the item indent (7).
text=$(groff -man -Tascii -P-c -P-b -P-u -P-o "$page" 2>/dev/null)
mapfile -t page_opts < <(grep -oE -- '^ {7}--[a-z][a-z0-9-]*' <<<"$text" | tr -d ' ' | sort -u)

missing=$(comm -23 <(printf '%s\n' "${help_opts[@]}") <(printf '%s\n' "${page_opts[@]}"))
[[ -z $missing ]] || fail "options in '$name --help' that $page does not describe (as an item):"$'\n'"$missing"
extra=$(comm -13 <(printf '%s\n' "${help_opts[@]}") <(printf '%s\n' "${page_opts[@]}"))
[[ -z $extra ]] || fail "options $page describes that '$name --help' does not print:"$'\n'"$extra"

# The sections a manual page of a program must have.
for section in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES; do
    grep -qx "$section" <<<"$text" || fail "$page has no $section section"
done
echo "PASS [man $name]: ${#help_opts[@]} options of --help, all in $page; no groff warning"
