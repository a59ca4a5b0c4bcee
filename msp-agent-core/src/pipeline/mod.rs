//! The pipeline: Perceive → Reason → Act → Evaluate. Each stage is a trait with a default
//! implementation; [`crate::agent::Agent`] composes them.

mod act;
mod billing;
pub mod classify;
mod evaluate;
pub mod model;
mod perceive;
mod plan;
pub mod playbooks;
mod reason;

pub use act::{Act, PolicyGate, StepMeta, StepRecord, StepStatus, affected_user_of};
pub use billing::{BillingException, billing_exceptions};
pub use evaluate::{Closure, DefaultEvaluate, Evaluate, Evaluation, TicketOutcome};
pub use perceive::{Perceive, Perception, RequesterCheck, RulePerceive, verify_requester};
pub use plan::{Check, Plan, PlannedCall};
pub use reason::{Playbook, Playbooks, Reason};
