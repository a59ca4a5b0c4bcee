//! Conformance checks for [`RunStore`](super::RunStore) implementations (feature `test-utils`).
