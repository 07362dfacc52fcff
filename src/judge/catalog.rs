//! The CIS Docker Benchmark's audit controls as data, one static table per benchmark
//! version (shared/reference/cis-docker-controls.md).
//!
//! 1.3.1 through 1.6.0 number the audit controls 1.1.3–1.1.18 with the same paths;
//! `1.6.0` stands for all of them. 1.7.0 keeps 1.1.3–1.1.6 (profile Level 1, confirmed
//! against published 1.7.0 audit item lists) and, as far as the public texts show, the
//! same 1.1.7–1.1.18. 1.2.0 numbers them 1.2.3–1.2.12 and audits /usr/sbin/runc.
//!
//! 1.8.0 (2025) is not in the catalog: no text of it is at hand. Public transcriptions
//! say it keeps the 1.1.x numbering and that 1.1.5 mentions `data-root` (which the
//! judge already follows through discovery for every version), but neither its full
//! list of audit items nor their paths could be confirmed, and a wrong id would be
//! worse than none. `--benchmark 1.8.0` is refused rather than guessed.

/// A benchmark version whose audit controls we know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Benchmark {
    /// 1.2.0: the controls numbered 1.2.3–1.2.12.
    V1_2_0,
    /// 1.6.0, and 1.3.1 through 1.5.0, which share its table.
    V1_6_0,
    /// 1.7.0, judged with 1.6.0's table.
    V1_7_0,
}

impl Benchmark {
    /// Every known version, oldest first.
    pub const ALL: [Benchmark; 3] = [Benchmark::V1_2_0, Benchmark::V1_6_0, Benchmark::V1_7_0];
    /// The version `check` judges against unless told otherwise.
    pub const DEFAULT: Benchmark = Benchmark::V1_6_0;

    /// The version number as the CIS text writes it.
    pub fn version(self) -> &'static str {
        match self {
            Benchmark::V1_2_0 => "1.2.0",
            Benchmark::V1_6_0 => "1.6.0",
            Benchmark::V1_7_0 => "1.7.0",
        }
    }

    /// Accepts the versions that share a table with a known one (1.3.1–1.5.0 are 1.6.0's).
    pub fn from_version(v: &str) -> Option<Benchmark> {
        match v.trim_start_matches('v') {
            "1.2.0" => Some(Benchmark::V1_2_0),
            "1.3.1" | "1.4.0" | "1.5.0" | "1.6.0" => Some(Benchmark::V1_6_0),
            "1.7.0" => Some(Benchmark::V1_7_0),
            _ => None,
        }
    }

    /// The audit controls, in the benchmark's order.
    pub fn controls(self) -> &'static [Control] {
        match self {
            Benchmark::V1_2_0 => V1_2_0,
            Benchmark::V1_6_0 | Benchmark::V1_7_0 => V1_6_0,
        }
    }
}

/// What a control audits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A file or directory, audited at this path.
    Path(&'static str),
    /// A systemd unit, audited as the file systemd loads (see `units`).
    Unit(&'static str),
}

/// The CIS remediation, which differs in form for /run/containerd only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remediation {
    /// `-w PATH -k docker` (permissions default to rwxa).
    Watch,
    /// `-a exit,always -F path=PATH -F perm=war -k docker`, as the CIS text writes it.
    PathWar,
}

/// One CIS audit control: "ensure auditing is configured for" a Docker file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Control {
    /// The control's number in its benchmark (`1.1.3`).
    pub id: &'static str,
    /// The CIS title.
    pub title: &'static str,
    /// What it audits.
    pub target: Target,
    /// The form of the CIS remediation line.
    pub remediation: Remediation,
    /// CIS profile: 1 (Level 1) or 2 (Level 2).
    pub level: u8,
    /// CIS assessment status: "Automated" (1.3.1+) or "Scored" (1.2.0).
    pub assessment: &'static str,
}

/// Where unit controls point when the unit is not installed, for the remediation line.
pub const DEFAULT_UNIT_DIR: &str = "/usr/lib/systemd/system";

impl Control {
    /// The permissions `--strict` demands: the CIS line's, exactly.
    pub fn strict_perm(&self) -> &'static str {
        match self.remediation {
            Remediation::Watch => "rwxa",
            Remediation::PathWar => "rwa",
        }
    }

    /// The CIS remediation line for the path the control resolved to.
    pub fn remediation_line(&self, path: &str) -> String {
        match self.remediation {
            Remediation::Watch => format!("-w {path} -k docker"),
            Remediation::PathWar => format!("-a exit,always -F path={path} -F perm=war -k docker"),
        }
    }

    /// The path as the catalog names it (a unit by its default location).
    pub fn display_path(&self) -> String {
        match self.target {
            Target::Path(p) => p.to_string(),
            Target::Unit(u) => format!("{DEFAULT_UNIT_DIR}/{u}"),
        }
    }
}

const fn c(id: &'static str, title: &'static str, target: Target, level: u8, assessment: &'static str) -> Control {
    Control { id, title, target, remediation: Remediation::Watch, level, assessment }
}

use Target::{Path as P, Unit as U};

const A: &str = "Automated";
const S: &str = "Scored";

static V1_6_0: &[Control] = &[
    c("1.1.3", "Ensure auditing is configured for the Docker daemon", P("/usr/bin/dockerd"), 1, A),
    Control {
        remediation: Remediation::PathWar,
        ..c(
            "1.1.4",
            "Ensure auditing is configured for Docker files and directories - /run/containerd",
            P("/run/containerd"),
            1,
            A,
        )
    },
    c(
        "1.1.5",
        "Ensure auditing is configured for Docker files and directories - /var/lib/docker",
        P("/var/lib/docker"),
        1,
        A,
    ),
    c("1.1.6", "Ensure auditing is configured for Docker files and directories - /etc/docker", P("/etc/docker"), 1, A),
    c(
        "1.1.7",
        "Ensure auditing is configured for Docker files and directories - docker.service",
        U("docker.service"),
        2,
        A,
    ),
    c(
        "1.1.8",
        "Ensure auditing is configured for Docker files and directories - containerd.sock",
        P("/run/containerd/containerd.sock"),
        2,
        A,
    ),
    c(
        "1.1.9",
        "Ensure auditing is configured for Docker files and directories - docker.socket",
        U("docker.socket"),
        2,
        A,
    ),
    c(
        "1.1.10",
        "Ensure auditing is configured for Docker files and directories - /etc/default/docker",
        P("/etc/default/docker"),
        2,
        A,
    ),
    c(
        "1.1.11",
        "Ensure auditing is configured for Docker files and directories - /etc/docker/daemon.json",
        P("/etc/docker/daemon.json"),
        2,
        A,
    ),
    c(
        "1.1.12",
        "Ensure auditing is configured for Docker files and directories - /etc/containerd/config.toml",
        P("/etc/containerd/config.toml"),
        2,
        A,
    ),
    c(
        "1.1.13",
        "Ensure auditing is configured for Docker files and directories - /etc/sysconfig/docker",
        P("/etc/sysconfig/docker"),
        2,
        A,
    ),
    c(
        "1.1.14",
        "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd",
        P("/usr/bin/containerd"),
        2,
        A,
    ),
    c(
        "1.1.15",
        "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd-shim",
        P("/usr/bin/containerd-shim"),
        2,
        A,
    ),
    c(
        "1.1.16",
        "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd-shim-runc-v1",
        P("/usr/bin/containerd-shim-runc-v1"),
        2,
        A,
    ),
    c(
        "1.1.17",
        "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd-shim-runc-v2",
        P("/usr/bin/containerd-shim-runc-v2"),
        2,
        A,
    ),
    c(
        "1.1.18",
        "Ensure auditing is configured for Docker files and directories - /usr/bin/runc",
        P("/usr/bin/runc"),
        2,
        A,
    ),
];

static V1_2_0: &[Control] = &[
    c("1.2.3", "Ensure auditing is configured for the Docker daemon", P("/usr/bin/dockerd"), 1, S),
    c(
        "1.2.4",
        "Ensure auditing is configured for Docker files and directories - /var/lib/docker",
        P("/var/lib/docker"),
        1,
        S,
    ),
    c("1.2.5", "Ensure auditing is configured for Docker files and directories - /etc/docker", P("/etc/docker"), 1, S),
    c(
        "1.2.6",
        "Ensure auditing is configured for Docker files and directories - docker.service",
        U("docker.service"),
        1,
        S,
    ),
    c(
        "1.2.7",
        "Ensure auditing is configured for Docker files and directories - docker.socket",
        U("docker.socket"),
        1,
        S,
    ),
    c(
        "1.2.8",
        "Ensure auditing is configured for Docker files and directories - /etc/default/docker",
        P("/etc/default/docker"),
        1,
        S,
    ),
    c(
        "1.2.9",
        "Ensure auditing is configured for Docker files and directories - /etc/sysconfig/docker",
        P("/etc/sysconfig/docker"),
        1,
        S,
    ),
    c(
        "1.2.10",
        "Ensure auditing is configured for Docker files and directories - /etc/docker/daemon.json",
        P("/etc/docker/daemon.json"),
        1,
        S,
    ),
    c(
        "1.2.11",
        "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd",
        P("/usr/bin/containerd"),
        1,
        S,
    ),
    c(
        "1.2.12",
        "Ensure auditing is configured for Docker files and directories - /usr/sbin/runc",
        P("/usr/sbin/runc"),
        1,
        S,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_match_the_reference_catalog() {
        let ids: Vec<&str> = Benchmark::V1_6_0.controls().iter().map(|c| c.id).collect();
        let expected: Vec<String> = (3..=18).map(|n| format!("1.1.{n}")).collect();
        assert_eq!(ids, expected);
        let ids: Vec<&str> = Benchmark::V1_2_0.controls().iter().map(|c| c.id).collect();
        let expected: Vec<String> = (3..=12).map(|n| format!("1.2.{n}")).collect();
        assert_eq!(ids, expected);
        assert_eq!(Benchmark::V1_2_0.controls().last().unwrap().target, Target::Path("/usr/sbin/runc"));
        assert_eq!(Benchmark::V1_7_0.controls()[..4], Benchmark::V1_6_0.controls()[..4]);
    }

    #[test]
    fn only_run_containerd_has_the_perm_war_remediation() {
        for b in Benchmark::ALL {
            for c in b.controls() {
                let war = c.target == Target::Path("/run/containerd");
                assert_eq!(c.remediation == Remediation::PathWar, war, "{}", c.id);
            }
        }
        let c = &Benchmark::V1_6_0.controls()[1];
        assert_eq!(
            c.remediation_line("/run/containerd"),
            "-a exit,always -F path=/run/containerd -F perm=war -k docker"
        );
        assert_eq!(
            Benchmark::V1_6_0.controls()[0].remediation_line("/usr/bin/dockerd"),
            "-w /usr/bin/dockerd -k docker"
        );
    }

    #[test]
    fn versions_sharing_a_table_are_accepted() {
        assert_eq!(Benchmark::from_version("1.4.0"), Some(Benchmark::V1_6_0));
        assert_eq!(Benchmark::from_version("v1.2.0"), Some(Benchmark::V1_2_0));
        assert_eq!(Benchmark::from_version("1.1.0"), None);
    }
}
