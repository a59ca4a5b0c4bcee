//! Simulated MSP.
