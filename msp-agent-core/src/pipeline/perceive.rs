//! Perceive: ticket → intent, confidence, entities, verified requester, affected user.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::classify::{Classifier, Entities};
use crate::domain::{Contact, DirectoryUser, Intent, Ticket};
use crate::error::CapResult;
use crate::tool::ToolContext;

/// Outcome of checking the requester: ticket sender ↔ PSA contact ↔ directory user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RequesterCheck {
    /// The sender is a PSA contact of this client with a matching directory account.
    Verified {
        /// The PSA contact.
        contact: Box<Contact>,
        /// The directory user.
        user: Box<DirectoryUser>,
    },
    /// The chain does not hold; nothing may be done on this requester's word.
    Unverified {
        /// Why.
        reason: String,
    },
}

impl RequesterCheck {
    /// The verified directory user, if any.
    pub fn user(&self) -> Option<&DirectoryUser> {
        match self {
            RequesterCheck::Verified { user, .. } => Some(user.as_ref()),
            RequesterCheck::Unverified { .. } => None,
        }
    }
}

/// What the agent understood of a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Perception {
    /// Triage intent.
    pub intent: Intent,
    /// Confidence in the intent, in [0, 1].
    pub confidence: f64,
    /// Entities found in the text.
    pub entities: Entities,
    /// The requester check.
    pub requester: RequesterCheck,
    /// The directory user the request is about (the requester unless the text names
    /// another user), when found.
    pub affected_user: Option<DirectoryUser>,
    /// The request is about someone other than the verified requester.
    pub third_party: bool,
    /// How the intent was obtained (e.g. `rules`), for the audit reasoning.
    pub method: String,
}

/// The Perceive stage.
#[async_trait]
pub trait Perceive: Send + Sync {
    /// Understand one ticket. Only reads.
    async fn perceive(&self, cx: &ToolContext<'_>, ticket: &Ticket) -> CapResult<Perception>;
}

/// Default Perceive: the deterministic [`Classifier`] plus requester verification.
#[derive(Debug, Clone, Default)]
pub struct RulePerceive {
    classifier: Classifier,
}

impl RulePerceive {
    /// With the built-in rule table.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Verify the requester of a ticket: sender ↔ PSA contact ↔ directory user.
pub async fn verify_requester(cx: &ToolContext<'_>, ticket: &Ticket) -> CapResult<RequesterCheck> {
    let unverified = |reason: String| Ok(RequesterCheck::Unverified { reason });
    let sender = ticket.requester_email.trim();
    let contact = match &ticket.requester {
        Some(id) => match cx.caps.tickets.get_contact(cx.tenant, id).await {
            Ok(c) => Some(c),
            Err(crate::CapabilityError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        None => {
            cx.caps
                .tickets
                .find_contact_by_email(cx.tenant, sender)
                .await?
        }
    };
    let Some(contact) = contact else {
        return unverified(format!("sender <{sender}> is not a contact of this client"));
    };
    if !contact.email.eq_ignore_ascii_case(sender) {
        return unverified(format!(
            "sender <{sender}> differs from the contact's address on file"
        ));
    }
    let Some(user) = cx
        .caps
        .identity
        .find_user(cx.tenant, &contact.email)
        .await?
    else {
        return unverified(format!(
            "contact <{}> has no directory account",
            contact.email
        ));
    };
    if !user.mail.eq_ignore_ascii_case(&contact.email)
        && !user.upn.eq_ignore_ascii_case(&contact.email)
    {
        return unverified("the directory account does not match the contact".to_owned());
    }
    Ok(RequesterCheck::Verified {
        contact: Box::new(contact),
        user: Box::new(user),
    })
}

#[async_trait]
impl Perceive for RulePerceive {
    async fn perceive(&self, cx: &ToolContext<'_>, ticket: &Ticket) -> CapResult<Perception> {
        let c = self.classifier.classify(&ticket.subject, &ticket.body);
        let requester = verify_requester(cx, ticket).await?;
        let requester_user = requester.user();
        let named = c.entities.affected_user.as_deref().filter(|named| {
            requester_user.is_none_or(|u| {
                !u.mail.eq_ignore_ascii_case(named) && !u.upn.eq_ignore_ascii_case(named)
            })
        });
        let (affected_user, third_party) = match named {
            Some(other) => (cx.caps.identity.find_user(cx.tenant, other).await?, true),
            None => (requester_user.cloned(), false),
        };
        Ok(Perception {
            intent: c.intent,
            confidence: c.confidence,
            entities: c.entities,
            requester,
            affected_user,
            third_party,
            method: "rules".to_owned(),
        })
    }
}
