#!/usr/bin/env bash
# Installs Compose v2 (the `docker compose` CLI plugin) from Debian trixie's docker-compose package,
# for machines on Debian bookworm, which packages only Compose v1 (`docker-compose` 1.29).
#
#   scripts/install-compose-v2.sh [PLUGIN_PATH]
#       (default PLUGIN_PATH: /usr/local/lib/docker/cli-plugins/docker-compose)
#
# Every file is checked before it is used, as apt would check it, without adding trixie to apt's
# sources: trixie's InRelease is verified with gpgv against Debian's archive keyring (and must not be
# past its Valid-Until), Packages.xz against the SHA256 the verified InRelease gives for it, and the
# .deb against the SHA256 that Packages gives for it. Only the CLI plugin is taken from the package
# (`dpkg-deb -x` into a temporary directory): nothing is registered with dpkg, and no other file of
# the system changes. The Docker CLI (20.10 and later) finds plugins in /usr/local/lib/docker/cli-plugins.
# The package is a static Go binary that needs only libc6 >= 2.34 (bookworm has 2.36).
#
# Environment: QUIESCE_COMPOSE_V2_MIRROR (default: the Debian mirror apt uses, else
# http://deb.debian.org/debian), QUIESCE_COMPOSE_V2_SUITE (default trixie), QUIESCE_COMPOSE_V2_KEYRING
# (default /usr/share/keyrings/debian-archive-keyring.gpg). Needs curl, gpgv, xz and dpkg-deb.
# Exits 0 when `docker compose version` then answers from the plugin installed; already installed
# (the same file), it only says so.
set -euo pipefail

plugin=${1:-/usr/local/lib/docker/cli-plugins/docker-compose}
suite=${QUIESCE_COMPOSE_V2_SUITE:-trixie}
keyring=${QUIESCE_COMPOSE_V2_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
package=docker-compose
architecture=$(dpkg --print-architecture)
# Where the plugin lies inside the package.
packaged_plugin=usr/libexec/docker/cli-plugins/docker-compose

fail() {
    echo "install-compose-v2: $*" >&2
    exit 1
}

for command in curl gpgv xz dpkg-deb sha256sum; do
    command -v "$command" >/dev/null || fail "$command is missing: apt-get install -y --no-install-recommends curl gpgv xz-utils dpkg"
done
[[ -r $keyring ]] || fail "no keyring at $keyring: apt-get install -y debian-archive-keyring"

mirror() {
    local uri
    uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list \
        | grep -v security | head -n 1 | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//; s/[[:space:]].*//')
    echo "${uri:-http://deb.debian.org/debian}"
}
base=${QUIESCE_COMPOSE_V2_MIRROR:-$(mirror)}
base=${base%/}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Fetches $1 (relative to the mirror) to $2, again (at most 3 times) when the mirror fails.
fetch() {
    local attempt
    for attempt in 1 2 3; do
        curl -fsSL --retry 2 --max-time 300 -o "$2" "$base/$1" && return 0
        echo "install-compose-v2: fetching $base/$1 failed (attempt $attempt of 3)" >&2
        sleep $((attempt * 5))
    done
    fail "could not fetch $base/$1"
}

# Checks that file $1 (fetched from $2) has the SHA256 $3.
check_sha256() {
    [[ $3 =~ ^[0-9a-f]{64}$ ]] || fail "no SHA256 for $2 in the verified index"
    echo "$3  $1" | sha256sum --quiet -c - >/dev/null 2>&1 || fail "$base/$2: SHA256 differs from the verified index's $3"
}

# 1. The suite's InRelease, verified, and only its signed text kept (nothing outside the signature).
fetch "dists/$suite/InRelease" "$work/InRelease"
gpgv --keyring "$keyring" --output "$work/Release" "$work/InRelease" 2>"$work/gpgv.log" \
    || fail "dists/$suite/InRelease: bad signature ($(tail -n 1 "$work/gpgv.log"))"
# A Release of another suite, signed by the same keys, must not stand in for this one.
grep -qxE "(Codename|Suite): $suite" "$work/Release" || fail "dists/$suite/InRelease names neither Codename nor Suite $suite"
valid_until=$(sed -n 's/^Valid-Until: //p' "$work/Release" | head -n 1)
if [[ -n $valid_until ]] && (($(date -d "$valid_until" +%s) < $(date +%s))); then
    fail "dists/$suite/InRelease expired at $valid_until (a stale or replayed index)"
fi

# 2. The package index, checked against the SHA256 the verified Release gives for it.
index=main/binary-$architecture/Packages.xz
index_sha256=$(awk -v file="$index" '/^SHA256:/ { in_sha = 1; next } /^[^ ]/ { in_sha = 0 } in_sha && $3 == file { print $1 }' "$work/Release")
fetch "dists/$suite/$index" "$work/Packages.xz"
check_sha256 "$work/Packages.xz" "dists/$suite/$index" "$index_sha256"
xz -dc "$work/Packages.xz" >"$work/Packages"

# 3. The package's stanza: its file and SHA256.
stanza=$(awk -v name="$package" '$0 == "Package: " name { found = 1 } found && /^$/ { exit } found { print }' "$work/Packages")
[[ -n $stanza ]] || fail "no package $package in $suite's $index"
version=$(sed -n 's/^Version: //p' <<<"$stanza")
filename=$(sed -n 's/^Filename: //p' <<<"$stanza")
deb_sha256=$(sed -n 's/^SHA256: //p' <<<"$stanza")
[[ $filename == pool/*.deb && $filename != *..* ]] || fail "unexpected Filename in $suite's index: $filename"

# Already installed: the same plugin, nothing to do.
installed=""
if [[ -x $plugin ]]; then installed=$("$plugin" version --short 2>/dev/null || true); fi
if [[ $installed == "$version" || $installed == "${version%%-*}" ]]; then
    echo "install-compose-v2: Compose $installed already at $plugin"
    exit 0
fi

# 4. The package, checked, and only its plugin taken.
fetch "$filename" "$work/package.deb"
check_sha256 "$work/package.deb" "$filename" "$deb_sha256"
dpkg-deb -x "$work/package.deb" "$work/root"
[[ -f $work/root/$packaged_plugin ]] || fail "$filename has no $packaged_plugin"
install -D -m 0755 "$work/root/$packaged_plugin" "$plugin"

echo "install-compose-v2: Compose $("$plugin" version --short) ($package $version from $suite) at $plugin"
if command -v docker >/dev/null; then
    docker compose version >/dev/null 2>&1 || fail "docker compose version fails with the plugin at $plugin (is it a directory the docker CLI searches?)"
    echo "install-compose-v2: $(docker compose version)"
fi
