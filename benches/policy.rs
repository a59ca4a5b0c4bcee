//! Placeholder; replaced by the policy benchmark.
fn main() {}
