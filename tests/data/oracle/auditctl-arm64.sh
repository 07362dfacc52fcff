#!/usr/bin/env bash
# Regenerates auditctl-arm64.tsv: what Debian bookworm's arm64 auditctl 3.0.9 says about
# each line of auditctl-arm64-cases.txt, run on an x86_64 host under qemu-user (which
# reports the machine aarch64 to uname, so auditctl's native table is arm64's).
#
# Needs: qemu-user (qemu-aarch64), unshare (util-linux), apt-get, dpkg-deb,
#        debian-archive-keyring. Usage: tests/data/oracle/auditctl-arm64.sh (as root)
#
# Safety: auditctl runs in a new user namespace (unshare -U -r). The kernel refuses
# every audit request from a non-initial user namespace, so no rule reaches the host
# kernel; only what auditctl says before it sends anything is recorded: its parse
# errors ("Syscall name unknown: ...") and warnings ("32/64 bit syscall mismatch").
# The last line of each run ("The audit system is disabled", the refused request's
# report) is dropped.
#
# Output: "ARGS<TAB>MESSAGES", MESSAGES auditctl's stderr and stdout lines joined by
# " | " (empty: the line parsed without a word). The tests never run this script.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=${DOCKAUDIT_ARM64_ORACLE:-/tmp/dockaudit-arm64-oracle}
root=$work/root
uri=${DOCKAUDIT_DEBIAN_MIRROR:-$(sed -n 's/^URIs: *//p; s/^deb \(\[[^]]*\] \)\?\([^ ]*\) .*/\2/p' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -v security | head -1 || true)}
[ -n "$uri" ] || { echo "no Debian archive URI in /etc/apt; set DOCKAUDIT_DEBIAN_MIRROR" >&2; exit 1; }

if [ ! -x "$root/sbin/auditctl" ]; then
    mkdir -p "$work"/{lists/partial,cache/archives/partial,sources.list.d,preferences.d,debs} "$root"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main" >"$work/sources.list"
    : >"$work/status"
    printf '#clear APT::Update::Post-Invoke;\n#clear DPkg::Post-Invoke;\n#clear Acquire::IndexTargets::deb::DEP-11;\n' >"$work/apt.conf"
    opts=(-c "$work/apt.conf" -o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/sources.list.d"
        -o "Dir::Etc::Preferences=$work/preferences" -o "Dir::Etc::PreferencesParts=$work/preferences.d"
        -o "Dir::State::Lists=$work/lists" -o "Dir::State::status=$work/status" -o "Dir::Cache=$work/cache"
        -o Debug::NoLocking=1 -o APT::Architecture=arm64 -o APT::Architectures=arm64 -o Acquire::Languages=none
        -o APT::Sandbox::User=root)
    apt-get "${opts[@]}" update -q
    (cd "$work/debs" && apt-get "${opts[@]}" download -q auditd libaudit1 libauparse0 libcap-ng0 libc6 \
        libgssapi-krb5-2 libkrb5-3 libk5crypto3 libcom-err2 libkrb5support0 libkeyutils1 libssl3 libwrap0 libnsl2 libtirpc3)
    for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
fi
version=$(unshare -U -r qemu-aarch64 -L "$root" "$root/sbin/auditctl" -v)
[ "$version" = "auditctl version 3.0.9" ] || { echo "unexpected $version" >&2; exit 1; }

out=$here/auditctl-arm64.tsv
{
    echo "# $version, arm64 (Debian bookworm), under qemu-aarch64 in a user namespace"
    grep -v '^#' "$here/auditctl-arm64-cases.txt" | while IFS= read -r line; do
        # shellcheck disable=SC2086 # the case is split into words as a shell would
        said=$(unshare -U -r qemu-aarch64 -L "$root" "$root/sbin/auditctl" $line 2>&1 </dev/null |
            grep -v '^The audit system is disabled$' | paste -sd'|' | sed 's/|/ | /g' || true)
        printf '%s\t%s\n' "$line" "$said"
    done
} >"$out"
echo "wrote $out ($(grep -vc '^#' "$out") cases)"
