//! Machine-readable views of what dockaudit read or decided.

pub mod inventory;
