//! Test kernels: Debian's `linux-image-*-amd64` and `linux-image-*-arm64`
//! packages, fetched with apt into `target/vm/apt/<suite>/` (arm64:
//! `<suite>-arm64/`; a private sources list, lists and cache directory per
//! suite and architecture; nothing of the host's apt state is touched) and
//! unpacked with `dpkg-deb -x`, never installed. Only the kernel image is kept
//! (x86_64's bzImage; arm64's vmlinuz, which Debian ships as an uncompressed
//! `Image` with an EFI stub that `qemu-system-aarch64 -kernel` boots as is),
//! in `target/vm/kernels/<suite>/` (arm64: `<suite>-arm64/`); once it is there
//! no run downloads anything.
//!
//! The archive URI is the machine's own (from /etc/apt), so no host name is
//! written in the repository.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{run_checked, XResult};

/// The default matrix: kernel series and the Debian suite that ships it.
pub const DEFAULT: &[(&str, &str)] = &[("5.10", "bullseye"), ("6.1", "bookworm"), ("6.12", "trixie")];

/// The arm64 matrix: bookworm's and trixie's kernels (bullseye's 5.10 is left out:
/// every boot costs minutes under TCG, and 6.1 and 6.12 are the kernels of the two
/// supported Debian releases).
pub const DEFAULT_ARM64: &[(&str, &str)] = &[("6.1", "bookworm"), ("6.12", "trixie")];

/// The architecture of a test kernel and of everything in its guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Arm64,
}

impl Arch {
    /// The name `--arch` and `skip-arch` use.
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }

    /// Debian's (dpkg's) name of the architecture.
    pub fn dpkg(self) -> &'static str {
        match self {
            Arch::X86_64 => "amd64",
            Arch::Arm64 => "arm64",
        }
    }

    /// The kernels `--kernel` may name for this architecture.
    pub fn kernels(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Arch::X86_64 => DEFAULT,
            Arch::Arm64 => DEFAULT_ARM64,
        }
    }

    /// The directory name of a suite's apt state and kernel cache: amd64's keep the
    /// bare suite name (shared with `docker-roots` and the docker guests).
    pub fn suite_dir(self, suite: &str) -> String {
        suite_dir(suite, self.dpkg())
    }

    /// How a kernel of this architecture is labelled ("6.1", "arm64:6.1").
    pub fn label(self, series: &str) -> String {
        match self {
            Arch::X86_64 => series.to_string(),
            Arch::Arm64 => format!("arm64:{series}"),
        }
    }
}

/// The directory name of a suite's state or cache for dpkg's architecture `dpkg`:
/// amd64's keep the bare suite name, others are `<suite>-<dpkg>`.
pub fn suite_dir(suite: &str, dpkg: &str) -> String {
    if dpkg == Arch::X86_64.dpkg() {
        suite.to_string()
    } else {
        format!("{suite}-{dpkg}")
    }
}

pub struct Kernel {
    /// What the user asked for (series, suite, or a path; arm64's prefixed `arm64:`).
    pub label: String,
    /// Kernel release when known before booting ("6.1.0-50-amd64").
    pub release: Option<String>,
    pub image: PathBuf,
    pub arch: Arch,
}

/// `--kernel` argument for `arch`: a series ("6.1"), a suite ("bookworm") or a path to
/// a kernel image (a bzImage; an arm64 `Image`).
pub fn resolve(arg: &str, arch: Arch, root: &Path, refresh: bool) -> XResult<Kernel> {
    if let Some(&(series, suite)) = arch.kernels().iter().find(|(se, su)| *se == arg || *su == arg) {
        return fetch(series, suite, arch, root, refresh);
    }
    let p = Path::new(arg);
    if p.is_file() {
        let name = p.file_name().unwrap_or_default().to_string_lossy().into_owned();
        return Ok(Kernel { label: arch.label(&name), release: None, image: p.to_path_buf(), arch });
    }
    let known: Vec<String> = arch.kernels().iter().map(|(a, b)| format!("{a} ({b})")).collect();
    Err(format!("--kernel {arg}: not a file and not one of {} ({})", known.join(", "), arch.name()))
}

fn fetch(series: &str, suite: &str, arch: Arch, root: &Path, refresh: bool) -> XResult<Kernel> {
    let label = arch.label(series);
    let cache = root.join("target/vm/kernels").join(arch.suite_dir(suite));
    let release_file = cache.join("release");
    let image = cache.join("vmlinuz");
    if !refresh && image.is_file() {
        if let Ok(rel) = std::fs::read_to_string(&release_file) {
            return Ok(Kernel { label, release: Some(rel.trim().into()), image, arch });
        }
    }
    let meta = format!("linux-image-{}", arch.dpkg());
    eprintln!("vm-test: fetching Debian {suite}'s {meta} (kernel {series})");
    let apt = AptDir::for_arch(root, suite, arch)?;
    apt.run("apt-get", &["update", "-q"])?;
    let out = apt.output("apt-cache", &["depends", &meta])?;
    let tail = format!("-{}", arch.dpkg());
    let pkg = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Depends: "))
        .map(str::trim)
        .find(|p| p.starts_with("linux-image-") && p.ends_with(&tail))
        .ok_or_else(|| format!("{suite}: {meta} depends on no linux-image-*{tail}:\n{out}"))?
        .to_string();
    let release = pkg.trim_start_matches("linux-image-").to_string();
    let debs = apt.dir.join("debs");
    let _ = std::fs::remove_dir_all(&debs);
    std::fs::create_dir_all(&debs).map_err(|e| format!("{}: {e}", debs.display()))?;
    let mut dl = apt.command("apt-get", &["download", "-q", &pkg]);
    dl.current_dir(&debs);
    run_checked(&mut dl)?;
    let deb = std::fs::read_dir(&debs)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .ok_or_else(|| format!("apt-get download {pkg} left no .deb in {}", debs.display()))?;
    let unpacked = apt.dir.join("unpacked");
    let _ = std::fs::remove_dir_all(&unpacked);
    run_checked(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&unpacked))?;
    let vmlinuz = unpacked.join("boot").join(format!("vmlinuz-{release}"));
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    std::fs::copy(&vmlinuz, &image).map_err(|e| format!("{}: {e}", vmlinuz.display()))?;
    std::fs::write(&release_file, format!("{release}\n")).map_err(|e| e.to_string())?;
    std::fs::write(cache.join("package"), format!("{}\n", deb.file_name().unwrap_or_default().to_string_lossy()))
        .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&unpacked);
    let _ = std::fs::remove_dir_all(&debs);
    eprintln!("vm-test: cached kernel {release} in {}", cache.display());
    Ok(Kernel { label, release: Some(release), image, arch })
}

/// The Debian archive URI this machine's apt uses (not the security archive).
/// `DOCKAUDIT_DEBIAN_MIRROR` overrides it.
pub fn archive_uri() -> XResult<String> {
    if let Ok(u) = std::env::var("DOCKAUDIT_DEBIAN_MIRROR") {
        return Ok(u);
    }
    let mut texts = Vec::new();
    if let Ok(rd) = std::fs::read_dir("/etc/apt/sources.list.d") {
        let mut files: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files {
            if let Ok(t) = std::fs::read_to_string(&f) {
                texts.push((f.extension().is_some_and(|x| x == "sources"), t));
            }
        }
    }
    if let Ok(t) = std::fs::read_to_string("/etc/apt/sources.list") {
        texts.push((false, t));
    }
    for (deb822, text) in &texts {
        if let Some(u) = if *deb822 { uri_from_deb822(text) } else { uri_from_one_line(text) } {
            return Ok(u);
        }
    }
    Err("no Debian archive URI in /etc/apt/sources.list{,.d}; set DOCKAUDIT_DEBIAN_MIRROR".into())
}

fn is_main_archive(uri: &str, suite: &str) -> bool {
    !uri.contains("security") && !suite.contains("security") && !suite.contains("/updates") && uri.contains("debian")
}

fn uri_from_deb822(text: &str) -> Option<String> {
    for stanza in text.split("\n\n") {
        let field = |name: &str| {
            stanza.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
        };
        let (Some(types), Some(uris), Some(suites)) = (field("Types"), field("URIs"), field("Suites")) else {
            continue;
        };
        if !types.split_whitespace().any(|t| t == "deb") {
            continue;
        }
        let suite = suites.split_whitespace().next().unwrap_or("");
        if let Some(u) = uris.split_whitespace().find(|u| is_main_archive(u, suite)) {
            return Some(u.trim_end_matches('/').to_string());
        }
    }
    None
}

fn uri_from_one_line(text: &str) -> Option<String> {
    for l in text.lines() {
        let l = l.trim();
        let Some(rest) = l.strip_prefix("deb ") else { continue };
        let rest = rest.trim();
        let rest = if rest.starts_with('[') { rest.split_once(']').map(|x| x.1.trim()).unwrap_or("") } else { rest };
        let mut w = rest.split_whitespace();
        if let (Some(uri), Some(suite)) = (w.next(), w.next()) {
            if is_main_archive(uri, suite) {
                return Some(uri.trim_end_matches('/').to_string());
            }
        }
    }
    None
}

/// A private apt state for one suite under target/vm/apt/<suite>/ (also used by
/// `docker-roots`, which shares the suites' lists); arm64's under
/// target/vm/apt/<suite>-arm64/, where arm64 is apt's only architecture.
pub struct AptDir {
    dir: PathBuf,
    opts: Vec<String>,
}

impl AptDir {
    /// The amd64 state of `suite`.
    pub fn new(root: &Path, suite: &str) -> XResult<AptDir> {
        AptDir::for_arch(root, suite, Arch::X86_64)
    }

    /// The state of `suite` for `arch`'s packages.
    pub fn for_arch(root: &Path, suite: &str, arch: Arch) -> XResult<AptDir> {
        AptDir::for_dpkg_arch(root, suite, arch.dpkg())
    }

    /// The state of `suite` for the packages of dpkg's architecture `dpkg` (also one
    /// no guest runs as its own, e.g. armhf for arm64's 32-bit programs).
    pub fn for_dpkg_arch(root: &Path, suite: &str, dpkg: &str) -> XResult<AptDir> {
        let dir = root.join("target/vm/apt").join(suite_dir(suite, dpkg));
        for d in ["lists/partial", "cache/archives/partial", "sources.list.d", "preferences.d"] {
            std::fs::create_dir_all(dir.join(d)).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
        if !Path::new(keyring).is_file() {
            return Err(format!("{keyring} is missing: apt-get install debian-archive-keyring"));
        }
        let uri = archive_uri()?;
        std::fs::write(dir.join("sources.list"), format!("deb [signed-by={keyring}] {uri} {suite} main\n"))
            .map_err(|e| e.to_string())?;
        std::fs::write(dir.join("status"), "").map_err(|e| e.to_string())?;
        // Drop hooks and extra index targets the host's apt.conf.d may add
        // (a Docker image's cache cleaner, appstream metadata).
        std::fs::write(
            dir.join("apt.conf"),
            "#clear APT::Update::Post-Invoke;\n#clear APT::Update::Post-Invoke-Success;\n#clear DPkg::Post-Invoke;\n\
             #clear Acquire::IndexTargets::deb::DEP-11;\n#clear Acquire::IndexTargets::deb::DEP-11-icons;\n\
             #clear Acquire::IndexTargets::deb::DEP-11-icons-small;\n#clear Acquire::IndexTargets::deb::DEP-11-icons-hidpi;\n",
        )
        .map_err(|e| e.to_string())?;
        let d = |p: &str| dir.join(p).display().to_string();
        let mut opts = vec!["-c".to_string(), d("apt.conf")];
        for (k, v) in [
            ("Dir::Etc::SourceList", d("sources.list")),
            ("Dir::Etc::SourceParts", d("sources.list.d")),
            ("Dir::Etc::Preferences", d("preferences")),
            ("Dir::Etc::PreferencesParts", d("preferences.d")),
            ("Dir::State::Lists", d("lists")),
            ("Dir::State::status", d("status")),
            ("Dir::Cache", d("cache")),
            ("Debug::NoLocking", "1".into()),
            ("APT::Architecture", dpkg.into()),
            ("APT::Architectures", dpkg.into()),
            ("Acquire::Languages", "none".into()),
            ("APT::Sandbox::User", "root".into()),
        ] {
            opts.push("-o".into());
            opts.push(format!("{k}={v}"));
        }
        Ok(AptDir { dir, opts })
    }

    pub fn command(&self, prog: &str, args: &[&str]) -> Command {
        let mut c = Command::new(prog);
        c.args(&self.opts).args(args);
        c
    }

    pub fn run(&self, prog: &str, args: &[&str]) -> XResult<()> {
        run_checked(&mut self.command(prog, args)).map(|_| ())
    }

    pub fn output(&self, prog: &str, args: &[&str]) -> XResult<String> {
        run_checked(&mut self.command(prog, args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deb822_skips_security() {
        let t = "Types: deb\nURIs: http://sec.example/debian-security\nSuites: bookworm-security\nComponents: main\n\n\
                 Types: deb\n# comment\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n";
        assert_eq!(uri_from_deb822(t).as_deref(), Some("http://mirror.example/debian"));
    }

    #[test]
    fn one_line_format() {
        let t = "# x\ndeb http://sec.example/debian-security bookworm-security main\n\
                 deb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main\n";
        assert_eq!(uri_from_one_line(t).as_deref(), Some("http://m.example/debian"));
    }
}
