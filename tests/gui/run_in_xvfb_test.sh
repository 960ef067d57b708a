#!/bin/sh
# run_in_xvfb.sh exits with the program's own status, on a display of its own, run after run
# (xvfb-run -a returned 5 instead in about one fast run of six). 77: skipped without Xvfb.
here=$(dirname "$0")
for i in $(seq 20); do
  "$here/run_in_xvfb.sh" sh -c 'test -n "$DISPLAY" && exit 7'
  status=$?
  [ "$status" -eq 77 ] && exit 77
  if [ "$status" -ne 7 ]; then
    echo "run $i: exit status $status, expected the program's 7"
    exit 1
  fi
done
echo "20 runs: the program's status each time"
