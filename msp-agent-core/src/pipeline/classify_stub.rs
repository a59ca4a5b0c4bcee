//! Temporary stub.
#![allow(missing_docs)]
use crate::domain::Intent;
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entities {
    pub emails: Vec<String>,
    pub affected_user: Option<String>,
    pub group: Option<String>,
    pub mailbox: Option<String>,
    pub software: Option<String>,
    pub person_name: Option<String>,
}
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Classification { pub intent: Intent, pub confidence: f64, pub entities: Entities }
#[derive(Debug, Clone, Default)]
pub struct Classifier;
impl Classifier {
    pub fn new() -> Self { Classifier }
    pub fn classify(&self, subject: &str, body: &str) -> Classification {
        let t = format!("{subject} {body}").to_lowercase();
        let intent = if t.contains("password") { Intent::PasswordReset } else if t.contains("locked") { Intent::AccountUnlock } else { Intent::Other };
        Classification { intent, confidence: 0.95, entities: Entities::default() }
    }
}
