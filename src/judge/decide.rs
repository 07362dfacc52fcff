//! The verdict on one file: a pure function of the walk's [`Coverage`], what a pass
//! demands, and whether audit is on. Computed once, in stages that each may only make
//! it worse; the stages are kept because the explanation cites them ("with audit
//! enabled these rules would give pass").

use super::catalog::Control;
use super::syscall_classes::{perm_bits, Cov, PERMS};
use super::verdict::Verdict;
use super::walk::{Coverage, Hit, Role};
use crate::rule::{perm, Field, FieldType};

/// What a pass demands of a file's coverage.
pub(super) struct Demand {
    /// The permission classes (`PERMS` bits) every ABI must record in full: writes and
    /// attribute changes, or with `--strict` the classes of the CIS line's `-p`.
    pub(super) classes: u32,
    /// `--strict`: the CIS `-p` letters that one rule recording a cell in full must
    /// carry, with the key `docker`.
    pub(super) cis_perm: Option<&'static str>,
}

impl Demand {
    pub(super) fn new(control: &Control, strict: bool) -> Demand {
        if strict {
            let letters = control.strict_perm();
            Demand { classes: perm_bits(letters), cis_perm: Some(letters) }
        } else {
            Demand { classes: perm::WRITE | perm::ATTR, cis_perm: None }
        }
    }

    /// The demanded (ABI, class) cells, as indexes into `Coverage::recorded`.
    pub(super) fn cells(&self, abis: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..abis).flat_map(move |abi| {
            (0..4).filter(move |&class| self.classes & PERMS[class].0 != 0).map(move |class| (abi, class))
        })
    }
}

/// The verdict on one file after each stage; a stage only ever makes it worse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Decision {
    /// From the exit list: pass when every demanded cell is recorded in full, weak
    /// when anything is recorded, fail when nothing is.
    pub(super) exit_list: Verdict,
    /// After `--strict`, which makes a pass without the CIS line itself weak.
    pub(super) with_strict: Verdict,
    /// After the rules that drop what the exit list records (`-a never,filesystem` on
    /// the file's filesystem, exclude rules): what the rules give with audit enabled.
    pub(super) if_enabled: Verdict,
    /// Audit is disabled (`enabled 0`): the kernel records nothing.
    pub(super) audit_disabled: bool,
    /// The verdict.
    pub(super) verdict: Verdict,
}

/// Judges a file's coverage. `audit_disabled` only when the kernel's status says so:
/// offline the rules alone decide.
pub(super) fn decide(coverage: &Coverage, demand: &Demand, audit_disabled: bool) -> Decision {
    let recorded = &coverage.recorded;
    let exit_list = if demand.cells(recorded.len()).all(|(abi, class)| recorded[abi][class] == Cov::Full) {
        Verdict::Pass
    } else if recorded.iter().flatten().any(|&c| c != Cov::None) {
        Verdict::Weak
    } else {
        Verdict::Fail
    };

    let mut with_strict = exit_list;
    if let Some(letters) = demand.cis_perm.filter(|_| exit_list == Verdict::Pass) {
        let is_cis_line = |hit: &Hit| {
            matches!(hit.role, Role::Records { full: true })
                && hit.prep.rule.field(FieldType::PERM).and_then(Field::as_number) == Some(perm_bits(letters))
                && hit.prep.rule.keys().any(|k| k == b"docker")
        };
        if !coverage.hits.iter().any(is_cis_line) {
            with_strict = Verdict::Weak;
        }
    }

    // Records dropped after the exit list matter only if the exit list records something.
    let mut if_enabled = with_strict;
    if matches!(with_strict, Verdict::Pass | Verdict::Weak) {
        if !coverage.fs_never.is_empty() {
            if_enabled = Verdict::Fail;
        }
        if let Some(ex) = coverage.exclude {
            if_enabled = if ex.drops_syscall { Verdict::Fail } else { if_enabled.max(Verdict::Weak) };
        }
    }

    let verdict = if audit_disabled { Verdict::Fail } else { if_enabled };
    Decision { exit_list, with_strict, if_enabled, audit_disabled, verdict }
}
