//! Shadow replay throughput (written by the shadow-replay work).
fn main() {}
