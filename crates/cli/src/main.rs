//! The `safehub` binary.

fn main() {}
