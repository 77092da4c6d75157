#!/usr/bin/env bash
# A D-Bus session with no Secret Service: maketoken must exit 8 quickly
# (not at keyring_timeout), never hang, and leave no daemon behind.
#
# dbus-run-session gives a private session bus, with a bus configuration
# whose only service folder is empty: the bus cannot start gnome-keyring
# (or anything else) on demand, even where gnome-keyring is installed.
# (Pointing XDG_DATA_DIRS at an empty folder is not enough: dbus-daemon's
# standard session folders always include /usr/share/dbus-1/services.)
# Then testdata/realkeyring/nosecretservice.txtar runs, and afterwards no
# process of the session may be left.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dbus-run-session >/dev/null || { echo "dbus-run-session is not installed (package dbus)" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/empty-data-dirs" "$scratch/empty-data-home" "$scratch/no-services"
cat > "$scratch/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:tmpdir=$scratch</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$scratch/no-services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF

# Build the test binary outside the session: the timing is then the
# commands', not the compiler's.
go test -c -o "$scratch/maketoken.test" ./cmd/maketoken

HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache" \
XDG_DATA_DIRS="$scratch/empty-data-dirs" XDG_DATA_HOME="$scratch/empty-data-home" \
SCRATCH="$scratch" \
  timeout 300 dbus-run-session --config-file="$scratch/session.conf" -- sh -c '
    set -e
    # The premise: no Secret Service on this bus, and none it could start.
    if command -v dbus-send >/dev/null; then
      names=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListActivatableNames)
      if echo "$names" | grep -q "org.freedesktop.secrets"; then
        echo "the session bus can start a Secret Service; the test would prove nothing" >&2
        exit 1
      fi
    fi
    # The session bus daemon is our sibling: a child of dbus-run-session.
    bus=$(pgrep -P "$PPID" -x dbus-daemon || true)
    [ -n "$bus" ] || { echo "cannot find the session bus daemon" >&2; exit 1; }
    cd cmd/maketoken
    MAKETOKEN_REAL_KEYRING_TEST=1 MAKETOKEN_EXPECT_NO_SECRET_SERVICE=1 \
      "$SCRATCH/maketoken.test" -test.count=1 -test.timeout=240s -test.v \
      -test.run "^TestRealKeyring\$/^nosecretservice\$" | tee "$SCRATCH/run.log"
    # Nothing was activated on the bus: it has no children.
    left=$(pgrep -P "$bus" || true)
    if [ -n "$left" ]; then
      echo "the session bus started processes:" >&2
      ps -o pid,comm,args -p $left >&2
      exit 1
    fi
  ' 2>&1 | grep -Ev '^dbus-daemon.*(fd limit)' | tee "$scratch/keyring-nosecret.log"

grep -qE -- '^ *--- PASS: TestRealKeyring/nosecretservice' "$scratch/keyring-nosecret.log" \
  || { echo "the no-Secret-Service test did not run and pass" >&2; exit 1; }
if grep -qE -- '--- SKIP: TestRealKeyring/nosecretservice' "$scratch/keyring-nosecret.log"; then
  echo "the no-Secret-Service test was skipped" >&2; exit 1
fi
# dbus-run-session stops its bus when it ends; nothing started in the
# session (every such process has $scratch in its environment) may outlive
# it.
sleep 0.5
stray=$(grep -l -- "$scratch" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | grep -vx "$$" || true)
if [ -n "$stray" ]; then
  echo "processes of the no-Secret-Service session are still running:" >&2
  ps -o pid,comm,args -p $stray >&2 || true
  exit 1
fi
echo "no Secret Service: exit 8 at once, no daemon left"
