#!/bin/bash
# Runs command lines one by one under a real shell inside the oracle's chroot. Started by
# shellOracle.ts in private mount, network, UTS and IPC namespaces: nothing it mounts is seen
# outside, and nothing it runs reaches a network. For each line, the pristine chroot (LOWER) is
# laid under a fresh overlay, so whatever the line writes lands in that overlay's upper folder and
# the chroot itself never changes; the line runs in a PID namespace of its own under a time limit.
# What each run left is copied to OUT: N.rc (exit status, 137 after the time limit), N.files
# (`TYPE PATH\0` for everything in the upper folder) and N.log (the recording stubs' log).
#
# Usage: driver.sh LOWER SCRATCH OUT SHELL SECONDS LINES   (LINES: NUL-separated, numbered from 0)
set -u
lower=$1 scratch=$2 out=$3 shell=$4 seconds=$5 lines=$6
mount -t tmpfs -o size=256m oracle "$scratch" || exit 90
env_base=(env -i HOME=/home/dev PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin USER=dev LOGNAME=dev LANG=C TERM=dumb)
i=0
while IFS= read -r -d '' line; do
  d=$scratch/$i
  mkdir -p "$d/u" "$d/w" "$d/m"
  if mount -t overlay overlay -o "lowerdir=$lower,upperdir=$d/u,workdir=$d/w" "$d/m"; then
    "${env_base[@]}" timeout -s KILL "$seconds" \
      unshare --pid --fork --kill-child --root="$d/m" --wd=/home/dev/project \
      /.oracle/init "/.oracle/$shell" -c "$line" </dev/null >/dev/null 2>&1
    rc=$?
    umount -l "$d/m"
  else
    rc=91
  fi
  find "$d/u" -mindepth 1 -printf '%y %P\0' >"$out/$i.files"
  [ -f "$d/u/.oracle/log" ] && cp "$d/u/.oracle/log" "$out/$i.log"
  echo "$rc" >"$out/$i.rc"
  rm -rf "$d"
  i=$((i + 1))
done <"$lines"
umount -l "$scratch"
