#!/usr/bin/env bash
# Regenerates the oracle fixtures that src/syscalls.rs and src/names.rs test against.
#
# The fixtures are captured from Debian bookworm's audit userspace (auditd and
# libaudit 3.0.9), the same code `auditctl -l` uses, so our tables are checked
# against an oracle that shares no code with ours. Commit the output; the tests
# never run this script.
#
# Needs (Debian): apt-get install -y auditd libaudit-dev gcc
# Usage:          tests/data/oracle/regenerate.sh        (from anywhere; ~20 s)
# It only reads libaudit's lookup tables: it never talks to the kernel, so the
# host's audit rules are untouched.
#
# Files written next to this script:
#   ausyscall-{x86_64,i386,aarch64,arm}.txt
#       Raw stdout of `ausyscall ARCH --dump` (first line names the table; for
#       arm libaudit says "armeb", its only 32-bit ARM table). One "NR<TAB>name"
#       line per syscall libaudit knows; a number absent here prints in decimal.
#   libaudit-msgtype.tsv   audit_msg_type_to_name(n) for n in 0..65535
#   libaudit-errno.tsv     audit_errno_to_name(n)    for n in 0..4095
#   libaudit-fstype.tsv    audit_fstype_to_name(n)   for every u32 n (the slow part:
#                          fstypes are magic numbers, so nothing smaller is complete)
#   libaudit-machine.tsv   machine id, audit_machine_to_name, audit_machine_to_elf
#       The .tsv files above are "number<TAB>name", decimal, after one '#' line
#       naming the package version.
#   libaudit-lookup.tsv    "table<TAB>query<TAB>result": what libaudit's name->number
#       functions return, for every known name as printed, lower- and upper-cased,
#       for the names glibc/kernel headers define (to catch aliases libaudit accepts
#       but never prints, e.g. EWOULDBLOCK) and for a few names that must fail.
#       Tables: msgtype errno fstype machine syscall:MACHINE elf2machine arch_field.
#       result is libaudit's raw return value (-1, or for errno 0, means unknown).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in ausyscall gcc; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y auditd libaudit-dev gcc" >&2; exit 1; }
done
[ -f /usr/include/libaudit.h ] || { echo "missing libaudit.h: apt-get install -y libaudit-dev" >&2; exit 1; }

version=$(dpkg-query -W -f='${Version}' libaudit1 2>/dev/null || echo unknown)
case "$version" in
    *3.0.9*) ;;
    *) echo "warning: libaudit1 is $version, the oracle is meant to be 3.0.9" >&2 ;;
esac

for arch in x86_64 i386 aarch64 arm; do
    ausyscall "$arch" --dump > "$work/ausyscall-$arch.txt"
done

# Candidate names for the lookup probes, taken from headers rather than typed in.
echo '#include <errno.h>' | gcc -dM -E - | awk '$2 ~ /^E[A-Z0-9]+$/ {print $2}' | sort -u > "$work/errno-macros.txt"
echo '#include <linux/audit.h>' | gcc -dM -E - | awk '$2 ~ /^AUDIT_[A-Z0-9_]+$/ {sub(/^AUDIT_/, "", $2); print $2}' | sort -u > "$work/audit-macros.txt"

cat > "$work/oracle.c" <<'CEOF'
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libaudit.h>

static const char *version;

static FILE *open_out(const char *dir, const char *name, int header)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(1); }
    if (header)
        fprintf(f, "# libaudit %s\n", version);
    return f;
}

static void cased(char *dst, const char *src, int (*fn)(int))
{
    while (*src) *dst++ = (char)fn((unsigned char)*src++);
    *dst = 0;
}

/* Each name as printed, lower-cased and upper-cased. */
static void probe(FILE *f, const char *table, const char *name, int (*lookup)(const char *))
{
    char lower[256], upper[256];
    cased(lower, name, tolower);
    cased(upper, name, toupper);
    fprintf(f, "%s\t%s\t%d\n", table, name, lookup(name));
    if (strcmp(lower, name))
        fprintf(f, "%s\t%s\t%d\n", table, lower, lookup(lower));
    if (strcmp(upper, name))
        fprintf(f, "%s\t%s\t%d\n", table, upper, lookup(upper));
}

static int sc_machine;
static int lookup_syscall(const char *n) { return audit_name_to_syscall(n, sc_machine); }

static void probe_file(FILE *f, const char *table, const char *path, int (*lookup)(const char *))
{
    FILE *in = fopen(path, "r");
    char line[256];
    if (!in) { perror(path); exit(1); }
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = 0;
        if (*line) probe(f, table, line, lookup);
    }
    fclose(in);
}

int main(int argc, char **argv)
{
    const char *dir = argv[1];
    FILE *f, *lk;
    version = argv[2];

    f = open_out(dir, "libaudit-msgtype.tsv", 1);
    for (int i = 0; i < 65536; i++)
        if (audit_msg_type_to_name(i)) fprintf(f, "%d\t%s\n", i, audit_msg_type_to_name(i));
    fclose(f);

    f = open_out(dir, "libaudit-errno.tsv", 1);
    for (int i = 0; i < 4096; i++)
        if (audit_errno_to_name(i)) fprintf(f, "%d\t%s\n", i, audit_errno_to_name(i));
    fclose(f);

    f = open_out(dir, "libaudit-fstype.tsv", 1);
    uint32_t u = 0;
    do {
        const char *n = audit_fstype_to_name((int)u);
        if (n) fprintf(f, "%u\t%s\n", u, n);
    } while (++u != 0);
    fclose(f);

    f = open_out(dir, "libaudit-machine.tsv", 1);
    for (int m = 0; m < 64; m++)
        if (audit_machine_to_name(m))
            fprintf(f, "%d\t%s\t%u\n", m, audit_machine_to_name(m), audit_machine_to_elf(m));
    fclose(f);

    lk = open_out(dir, "libaudit-lookup.tsv", 1);
    for (int i = 0; i < 65536; i++)
        if (audit_msg_type_to_name(i)) probe(lk, "msgtype", audit_msg_type_to_name(i), audit_name_to_msg_type);
    probe_file(lk, "msgtype", argv[4], audit_name_to_msg_type);
    probe(lk, "msgtype", "NO_SUCH_TYPE", audit_name_to_msg_type);

    for (int i = 0; i < 4096; i++)
        if (audit_errno_to_name(i)) probe(lk, "errno", audit_errno_to_name(i), audit_name_to_errno);
    probe_file(lk, "errno", argv[3], audit_name_to_errno);
    probe(lk, "errno", "ENOSUCHERR", audit_name_to_errno);

    probe(lk, "fstype", "tracefs", audit_name_to_fstype);
    probe(lk, "fstype", "debugfs", audit_name_to_fstype);
    probe(lk, "fstype", "cgroup", audit_name_to_fstype);
    probe(lk, "fstype", "cgroup2", audit_name_to_fstype);
    probe(lk, "fstype", "ext4", audit_name_to_fstype);

    for (int m = 0; m < 64; m++)
        if (audit_machine_to_name(m)) probe(lk, "machine", audit_machine_to_name(m), audit_name_to_machine);
    const char *mach_aliases[] = { "arm", "armv7l", "armv8l", "i486", "i586", "i686", "armv5tejl", "armv5tel", "armv6l", "arm64", "amd64", "b32", "b64", NULL };
    for (int i = 0; mach_aliases[i]; i++) probe(lk, "machine", mach_aliases[i], audit_name_to_machine);

    const int machines[] = { MACH_86_64, MACH_X86, MACH_AARCH64, MACH_ARM };
    for (int k = 0; k < 4; k++) {
        char table[64];
        sc_machine = machines[k];
        snprintf(table, sizeof table, "syscall:%s", audit_machine_to_name(sc_machine));
        for (int nr = 0; nr < 2048; nr++)
            if (audit_syscall_to_name(nr, sc_machine)) probe(lk, table, audit_syscall_to_name(nr, sc_machine), lookup_syscall);
        probe(lk, table, "no_such_syscall", lookup_syscall);
    }

    const unsigned elfs[] = { 0x3, 0x40000003, 0xC000003E, 0x3E, 0x28, 0x40000028, 0xB7, 0xC00000B7, 0x800000B7 };
    for (unsigned k = 0; k < sizeof elfs / sizeof elfs[0]; k++)
        fprintf(lk, "elf2machine\t%u\t%d\n", elfs[k], audit_elf_to_machine(elfs[k]));

    /* What `-F arch=b32|b64` becomes on this (the generating) machine. */
    const char *bits[] = { "b32", "b64" };
    for (int k = 0; k < 2; k++) {
        struct audit_rule_data *r = calloc(1, sizeof *r);
        char pair[32];
        snprintf(pair, sizeof pair, "arch=%s", bits[k]);
        int rc = audit_rule_fieldpair_data(&r, pair, AUDIT_FILTER_EXIT);
        fprintf(lk, "arch_field\t%s@%s\t%lld\n", bits[k],
                audit_machine_to_name(audit_detect_machine()),
                rc == 0 ? (long long)r->values[0] : (long long)rc);
        free(r);
    }
    fclose(lk);
    return 0;
}
CEOF
gcc -O2 -o "$work/oracle" "$work/oracle.c" -laudit
"$work/oracle" "$work" "$version" "$work/errno-macros.txt" "$work/audit-macros.txt"

for f in ausyscall-x86_64.txt ausyscall-i386.txt ausyscall-aarch64.txt ausyscall-arm.txt \
         libaudit-msgtype.tsv libaudit-errno.tsv libaudit-fstype.tsv libaudit-machine.tsv libaudit-lookup.tsv; do
    mv "$work/$f" "$here/$f"
done
echo "fixtures regenerated from libaudit $version in $here"
