pub mod names;
pub mod syscalls;
