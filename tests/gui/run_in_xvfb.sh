#!/bin/sh
# Runs a program on a private Xvfb display and exits with the program's status (77: skipped
# when Xvfb is missing). Not xvfb-run: on fast runs about one in six made xvfb-run itself exit 5
# ("problem while cleaning up temporary directory"), hiding the program's status. Xvfb picks a
# free display and says which on a pipe (-displayfd).
# Usage: run_in_xvfb.sh program [args...]   (screen 1280x800x24; WELDCELL_XVFB_SCREEN overrides)
command -v Xvfb >/dev/null 2>&1 || { echo 'Xvfb not found: skipped'; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/weldcell_xvfb.XXXXXX") || exit 1
mkfifo "$dir/display" || exit 1
Xvfb -displayfd 3 -screen 0 "${WELDCELL_XVFB_SCREEN:-1280x800x24}" -nolisten tcp -noreset \
  3>"$dir/display" 2>"$dir/xvfb.log" &
xvfb=$!
# The display number, once the server accepts connections (blocks until Xvfb writes it; empty
# when it exits first).
read -r number <"$dir/display"
if [ -z "$number" ]; then
  echo "run_in_xvfb.sh: Xvfb did not start:" >&2
  cat "$dir/xvfb.log" >&2
  kill "$xvfb" 2>/dev/null
  rm -rf "$dir"
  exit 1
fi
DISPLAY=":$number" "$@"
status=$?
kill "$xvfb" 2>/dev/null
wait "$xvfb" 2>/dev/null
rm -rf "$dir"
exit "$status"
