//! What Docker discovery finds under a root, every component (`check` reports the
//! judged path and `found_by` of each control's):
//! `cargo run --example docker_discover -- [ROOT] [--live]` (ROOT defaults to `/`;
//! `--live` also reads ROOT/proc for running daemons). Reads files only.

use dockaudit::docker::{discover, Location, ProcFs};
use dockaudit::host::HostFs;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let live = args.iter().any(|a| a == "--live");
    let root = args.iter().find(|a| !a.starts_with("--")).map_or("/", String::as_str);
    let tree = HostFs::new(root);
    let procs = ProcFs::under(std::path::Path::new(root));
    let found = discover(&tree, live.then_some(&procs as _));
    for location in found.iter() {
        match location {
            Location::Found(l) => {
                println!("{:<24} {}  ({})", l.component.name(), l.path.display(), l.found_by);
                for hop in &l.symlinks {
                    println!("{:<24}   link {} -> {}", "", hop.link.display(), hop.target.display());
                }
                for other in &l.others {
                    println!("{:<24}   other {}", "", other.why);
                }
                for d in &l.drop_ins {
                    println!("{:<24}   drop-in {}", "", d.display());
                }
                for n in &l.notes {
                    println!("{:<24}   note {n}", "");
                }
            }
            Location::NotInstalled(n) => println!("{:<24} not installed: {}", n.component.name(), n.reason()),
            Location::Error { component, error } => println!("{:<24} error: {error}", component.name()),
        }
    }
    for p in &found.problems {
        println!("problem: {p}");
    }
}
