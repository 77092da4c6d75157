#!/usr/bin/env bash
# .ci/release.sh: what CI runs for the release. It validates .goreleaser.yaml,
# builds a snapshot release offline (nothing is published; only the Go module
# proxy is used), and checks what came out:
#   - six maketoken binaries (linux, darwin, windows x amd64, arm64) and six
#     make-emulator binaries, their archives, the checksums, a deb and an rpm;
#   - the linux/amd64 binary's `version` names the snapshot version and commit;
#   - the deb holds /usr/bin/maketoken, the man pages and three completions;
#   - the archives hold the binary, LICENSE, README, completions and man pages.
#
# Works as root or not, in a fresh clone with no git remote, with CI=true.
# goreleaser (pinned) is built once into a cache directory and reused:
#   $MAKETOKEN_TOOLS (default /root/.cache/maketoken-tools as root, as in
#   .ci/run; else ${XDG_CACHE_HOME:-$HOME/.cache}/maketoken-tools)
set -euo pipefail
trap 'echo "release.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
command -v jq >/dev/null || { echo "release.sh: needs jq (apt-get install jq)" >&2; exit 1; }

GORELEASER_VERSION=v2.15.1
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ "$(id -u)" = 0 ]; then default_tools=/root/.cache/maketoken-tools; else default_tools=${XDG_CACHE_HOME:-$HOME/.cache}/maketoken-tools; fi
TOOLS=${MAKETOKEN_TOOLS:-$default_tools}
GR_DIR=$TOOLS/goreleaser-$GORELEASER_VERSION
GR=$GR_DIR/goreleaser

START=$(date +%s)
PHASE_START=$START
failures=0
declare -a TIMINGS=()

say() { printf '\n=== %s\n' "$*"; }
ok() { printf '  ok    %s\n' "$*"; }
bad() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }
phase_done() {
	local now
	now=$(date +%s)
	TIMINGS+=("$(printf '%-28s %4ss' "$1" "$((now - PHASE_START))")")
	PHASE_START=$now
}

# Git settings for this run only (through the environment: the checkout and
# the user's git config are left alone).
git_config() {
	local n=${GIT_CONFIG_COUNT:-0}
	export "GIT_CONFIG_KEY_$n=$1" "GIT_CONFIG_VALUE_$n=$2" GIT_CONFIG_COUNT=$((n + 1))
}
# A checkout owned by another user (a CI volume) is fine.
git_config safe.directory "$ROOT"
git rev-parse HEAD >/dev/null 2>&1 || { echo "release.sh: $ROOT is not a git checkout with a commit" >&2; exit 1; }
# Without a remote, goreleaser's snapshot drops ALL git information (commit
# "none", no commit date), so the binaries could not name their commit. CI's
# clean clone has no remote: name the project's URL for this run. Nothing is
# fetched from it; `git ls-remote --get-url` only reads the setting.
if ! git ls-remote --get-url >/dev/null 2>&1; then
	git_config remote.origin.url https://github.com/maketoken/maketoken.git
	echo "release.sh: no git remote; using remote.origin.url=https://github.com/maketoken/maketoken.git for this run"
fi

# --- goreleaser -----------------------------------------------------------
say "goreleaser $GORELEASER_VERSION"
have_goreleaser() { [ -x "$GR" ] && "$GR" --version 2>/dev/null | grep -Eq "GitVersion:[[:space:]]+$GORELEASER_VERSION\$"; }
if have_goreleaser; then
	ok "cached: $GR"
else
	echo "  building $GR (first run only; a few minutes)"
	mkdir -p "$GR_DIR"
	(
		# One build at a time; a concurrent run waits and then reuses it.
		flock 9 2>/dev/null || true
		if ! have_goreleaser; then
			tmp=$(mktemp -d "$GR_DIR/build.XXXXXX")
			GOBIN=$tmp go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION"
			mv -f "$tmp/goreleaser" "$GR"
			rmdir "$tmp"
		fi
	) 9>"$GR_DIR/.lock"
	have_goreleaser || { echo "release.sh: $GR does not report $GORELEASER_VERSION" >&2; exit 1; }
	ok "built: $GR"
fi
phase_done "goreleaser ready"

# --- check and snapshot ----------------------------------------------------
say "goreleaser check"
"$GR" check
phase_done "goreleaser check"

say "goreleaser release --snapshot --clean"
"$GR" release --snapshot --clean
phase_done "snapshot release"

# --- what came out ---------------------------------------------------------
say "checking dist/"
cd "$ROOT/dist"

version=$(jq -r .version metadata.json)
commit=$(jq -r .commit metadata.json)
head=$(git -C "$ROOT" rev-parse HEAD)
[ "$commit" = "$head" ] && ok "snapshot $version of commit $commit" || bad "metadata commit $commit is not HEAD $head"

# Binaries, from goreleaser's own list of artifacts.
binaries() { jq -r --arg b "$1" '.[] | select(.type == "Binary" and .extra.Binary == $b) | .path' artifacts.json; }
for bin in maketoken make-emulator; do
	n=0
	while read -r p; do
		[ -n "$p" ] || continue
		if [ -x "$ROOT/$p" ] || [ -x "$p" ]; then n=$((n + 1)); else bad "$p is missing"; fi
	done < <(binaries "$bin")
	[ "$n" -eq 6 ] && ok "6 $bin binaries" || bad "$n $bin binaries, want 6"
done
platforms=$(jq -r '[.[] | select(.type == "Binary" and .extra.Binary == "maketoken") | .goos + "/" + .goarch] | sort | join(" ")' artifacts.json)
want_platforms="darwin/amd64 darwin/arm64 linux/amd64 linux/arm64 windows/amd64 windows/arm64"
[ "$platforms" = "$want_platforms" ] && ok "platforms: $platforms" || bad "platforms: $platforms, want $want_platforms"

# The release build tells the truth about itself.
linux_bin=$(jq -r '.[] | select(.type == "Binary" and .extra.Binary == "maketoken" and .goos == "linux" and .goarch == "amd64") | .path' artifacts.json)
linux_bin=${linux_bin#dist/}
if [ -x "$linux_bin" ]; then
	out=$("./$linux_bin" version)
	echo "  \$ $linux_bin version"
	echo "  $out"
	case $out in
	"maketoken $version (commit $commit, built "*) ok "version names $version and commit $commit" ;;
	*) bad "version output does not name $version and commit $commit" ;;
	esac
	[ "$("./$linux_bin" --version)" = "$out" ] && ok "--version prints the same" || bad "--version differs from version"
	if file "$linux_bin" 2>/dev/null | grep -q 'statically linked'; then ok "statically linked (CGO_ENABLED=0)"; fi
else
	bad "no linux/amd64 maketoken binary"
fi

# Archives.
count() { find . -maxdepth 1 -name "$1" | wc -l; }
n=$(( $(count "maketoken_${version}_*.tar.gz") + $(count "maketoken_${version}_*.zip") ))
[ "$n" -eq 6 ] && ok "6 maketoken archives ($(count "maketoken_${version}_*.zip") zip)" || bad "$n maketoken archives, want 6"
n=$(( $(count "make-emulator_${version}_*.tar.gz") + $(count "make-emulator_${version}_*.zip") ))
[ "$n" -eq 6 ] && ok "6 make-emulator archives" || bad "$n make-emulator archives, want 6"

want_in_archive=(maketoken README.md LICENSE CHANGELOG.md completions/maketoken.bash completions/maketoken.zsh
	completions/maketoken.fish completions/maketoken.ps1 manpages/maketoken.1.gz)
tgz=maketoken_${version}_linux_amd64.tar.gz
if [ -f "$tgz" ]; then
	listing=$(tar -tzf "$tgz")
	missing=()
	for f in "${want_in_archive[@]}"; do grep -qx "$f" <<<"$listing" || missing+=("$f"); done
	[ ${#missing[@]} -eq 0 ] && ok "$tgz holds ${want_in_archive[*]}" || bad "$tgz lacks ${missing[*]}"
	echo "        ($(grep -c '^manpages/' <<<"$listing") man pages)"
fi
zip=maketoken_${version}_windows_amd64.zip
if [ -f "$zip" ] && command -v unzip >/dev/null; then
	unzip -Z1 "$zip" | grep -qx maketoken.exe && ok "$zip holds maketoken.exe" || bad "$zip lacks maketoken.exe"
fi

# Checksums.
sums=maketoken_${version}_checksums.txt
if [ -f "$sums" ]; then
	if sha256sum --quiet -c "$sums"; then ok "$sums: $(wc -l <"$sums") files verified"; else bad "$sums does not verify"; fi
else
	bad "no $sums"
fi

# Packages.
deb=$(find . -maxdepth 1 -name 'maketoken_*_amd64.deb' | head -1)
rpm=$(find . -maxdepth 1 -name 'maketoken-*.x86_64.rpm' | head -1)
[ -n "$deb" ] && ok "deb: ${deb#./} ($(find . -maxdepth 1 -name '*.deb' | wc -l) in all)" || bad "no amd64 deb"
[ -n "$rpm" ] && ok "rpm: ${rpm#./} ($(find . -maxdepth 1 -name '*.rpm' | wc -l) in all)" || bad "no x86_64 rpm"
# has_files NAME LISTING PATH...: the package listing holds every PATH.
has_files() {
	local name=$1 listing=$2 f
	shift 2
	for f in "$@"; do
		grep -qx "$f" <<<"$listing" && ok "$name has $f" || bad "$name lacks $f"
	done
}
if [ -n "$deb" ]; then
	if command -v dpkg-deb >/dev/null; then
		contents=$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|')
	else
		contents=$(ar p "$deb" data.tar.gz | tar -tzf - | sed 's|^\./|/|')
	fi
	has_files deb "$contents" /usr/bin/maketoken /usr/share/man/man1/maketoken.1.gz \
		/usr/share/bash-completion/completions/maketoken \
		/usr/share/zsh/vendor-completions/_maketoken \
		/usr/share/fish/vendor_completions.d/maketoken.fish
	echo "        ($(grep -c '^/usr/share/man/man1/.*\.1\.gz$' <<<"$contents") man pages in the deb)"
fi
if [ -n "$rpm" ]; then
	contents=
	if command -v rpm >/dev/null; then
		contents=$(rpm -qlp "$rpm" 2>/dev/null)
	elif command -v rpm2cpio >/dev/null && command -v cpio >/dev/null; then
		# rpm2cpio 4.18 exits 1 on nfpm's packages although it copies the
		# whole payload: judge by the file list, not by its status.
		contents=$({ rpm2cpio "$rpm" || true; } | cpio -t --quiet 2>/dev/null | sed 's|^\./|/|')
	fi
	if [ -n "$contents" ]; then
		has_files rpm "$contents" /usr/bin/maketoken /usr/share/man/man1/maketoken.1.gz \
			/usr/share/bash-completion/completions/maketoken \
			/usr/share/zsh/site-functions/_maketoken \
			/usr/share/fish/vendor_completions.d/maketoken.fish
	else
		echo "  note  rpm file list not checked (neither rpm nor rpm2cpio+cpio installed)"
	fi
fi
if command -v man >/dev/null; then
	page=$(MANWIDTH=80 man -l "$ROOT/manpages/maketoken.1.gz" 2>/dev/null || true)
	if grep -q '^EXIT STATUS' <<<"$page" && grep -q "maketoken $version" <<<"$page"; then
		ok "man maketoken renders: $(wc -l <<<"$page") lines, footer names $version"
	else
		bad "manpages/maketoken.1.gz does not render with man"
	fi
fi
[ -f homebrew/Casks/maketoken.rb ] && ok "homebrew cask: dist/homebrew/Casks/maketoken.rb" || bad "no homebrew cask"
phase_done "checks"

# --- figures ---------------------------------------------------------------
say "artifacts (dist/)"
find . -maxdepth 1 -type f \( -name '*.tar.gz' -o -name '*.zip' -o -name '*.deb' -o -name '*.rpm' -o -name '*checksums.txt' \) \
	-printf '%f\t%s\n' | sort | awk -F'\t' '{
		if ($2 >= 1048576) printf "  %-52s %7.1f MiB\n", $1, $2 / 1048576
		else printf "  %-52s %7.1f KiB\n", $1, $2 / 1024 }'

say "timings"
printf '  %s\n' "${TIMINGS[@]}"
printf '  %-28s %4ss\n' "total" "$(($(date +%s) - START))"

if [ "$failures" -gt 0 ]; then
	say "release.sh: $failures check(s) failed"
	exit 1
fi
say "release.sh: snapshot $version is good"
