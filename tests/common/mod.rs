//! Helpers shared by the end-to-end tests on the simulated MSP.
#![allow(dead_code)] // each test binary uses a subset of the helpers

use std::time::Duration;

use msp_agent::domain::{DirectoryUser, TenantId, TicketId};
use msp_agent::prelude::*;
use msp_agent::sim::{ApprovalMode, SimMsp};

pub fn acme() -> TenantId {
    TenantId::from("acme")
}

/// An enabled, unlocked, non-privileged user with a phone and a matching PSA contact.
pub fn ordinary_user(msp: &SimMsp) -> DirectoryUser {
    let contacts = msp.contacts(&acme());
    msp.users(&acme())
        .into_iter()
        .find(|u| {
            !u.privileged
                && u.state.enabled
                && !u.state.locked
                && msp.mobile(&acme(), &u.id).is_some()
                && contacts
                    .iter()
                    .any(|c| c.email.eq_ignore_ascii_case(&u.mail))
        })
        .expect("seed has an ordinary user")
}

/// An agent whose approvals are all granted by `jane.tech`.
pub fn approving(msp: &SimMsp) -> AgentBuilder {
    Agent::builder(msp.capabilities()).approvals(
        msp.approvals(ApprovalMode::ApproveAll {
            approver: "jane.tech".into(),
        }),
        Duration::from_secs(5),
    )
}

/// No note was written twice on the ticket (`context` names the case in the failure).
pub fn assert_no_note_twice(msp: &SimMsp, ticket: &TicketId, context: &str) {
    let notes = msp.notes(&acme(), ticket);
    let mut texts: Vec<&str> = notes.iter().map(|n| n.text.as_str()).collect();
    texts.sort_unstable();
    texts.dedup();
    assert_eq!(
        texts.len(),
        notes.len(),
        "{context}: a note was written twice: {notes:#?}"
    );
}
