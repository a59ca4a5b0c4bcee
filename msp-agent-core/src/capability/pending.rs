//! The registry of approvals waiting for a human, shared by every asynchronous
//! [`ApprovalGateway`](super::ApprovalGateway) (chat channels, web UIs, queues).
//!
//! A gateway [`register`](PendingApprovals::register)s a request under a fresh random id,
//! shows that id to humans (e.g. in a button's value), and awaits the returned
//! [`PendingApproval`]. Whoever receives the human's answer calls
//! [`resolve`](PendingApprovals::resolve) with the id. Dropping the waiting future (the
//! policy gate's timeout does) removes the entry, so nothing leaks and a late answer is
//! refused with [`ResolveError::Expired`].

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use super::approval::{ApprovalDecision, ApprovalRequest};
use crate::error::{CapResult, CapabilityError};

/// Opaque, unguessable id of one pending approval (128 random bits, lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApprovalId(String);

impl ApprovalId {
    /// A fresh random id from the thread-local CSPRNG.
    pub fn random() -> Self {
        let bits: u128 = rand::rng().random();
        ApprovalId(format!("{bits:032x}"))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApprovalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ApprovalId {
    fn from(s: &str) -> Self {
        ApprovalId(s.to_owned())
    }
}

impl From<String> for ApprovalId {
    fn from(s: String) -> Self {
        ApprovalId(s)
    }
}

/// Why [`PendingApprovals::resolve`] refused an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// No approval with this id was ever registered here (or it was forgotten long ago).
    #[error("unknown approval id")]
    Unknown,
    /// The requester stopped waiting (timed out or cancelled) before the answer came.
    #[error("approval request expired")]
    Expired,
    /// Someone already answered; the first answer stands.
    #[error("approval already decided")]
    AlreadyDecided {
        /// The answer that was taken.
        decision: ApprovalDecision,
    },
}

/// A request that is waiting for an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEntry {
    /// Its id.
    pub id: ApprovalId,
    /// What is asked.
    pub request: ApprovalRequest,
}

struct Waiting {
    request: ApprovalRequest,
    tx: oneshot::Sender<ApprovalDecision>,
}

#[derive(Clone)]
enum Closed {
    Decided(ApprovalDecision),
    Expired,
}

#[derive(Default)]
struct State {
    waiting: HashMap<ApprovalId, Waiting>,
    /// Ids answered or expired, remembered (bounded) to tell replays from unknown ids.
    closed: HashMap<ApprovalId, Closed>,
    closed_order: VecDeque<ApprovalId>,
}

impl State {
    fn close(&mut self, id: ApprovalId, how: Closed, limit: usize) {
        if self.closed.insert(id.clone(), how).is_none() {
            self.closed_order.push_back(id);
        }
        while self.closed_order.len() > limit {
            if let Some(old) = self.closed_order.pop_front() {
                self.closed.remove(&old);
            }
        }
    }
}

/// The shared registry of pending approvals. Clone is cheap (shared state); safe to use
/// from many tasks at once.
#[derive(Clone)]
pub struct PendingApprovals {
    state: Arc<Mutex<State>>,
    remember: usize,
}

impl fmt::Debug for PendingApprovals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingApprovals")
            .field("waiting", &self.lock().waiting.len())
            .finish_non_exhaustive()
    }
}

impl Default for PendingApprovals {
    fn default() -> Self {
        Self::new()
    }
}

impl PendingApprovals {
    /// An empty registry remembering the last 10 000 closed ids (for replay detection).
    pub fn new() -> Self {
        Self::with_memory(10_000)
    }

    /// An empty registry remembering the last `remember` answered or expired ids, so a
    /// replayed answer is refused as [`ResolveError::AlreadyDecided`] /
    /// [`ResolveError::Expired`] rather than [`ResolveError::Unknown`].
    pub fn with_memory(remember: usize) -> Self {
        PendingApprovals {
            state: Arc::new(Mutex::new(State::default())),
            remember,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Register `request` under a fresh id; await the returned future for the answer.
    /// Dropping it withdraws the request.
    pub fn register(&self, request: ApprovalRequest) -> PendingApproval {
        let (tx, rx) = oneshot::channel();
        let mut state = self.lock();
        let mut id = ApprovalId::random();
        while state.waiting.contains_key(&id) || state.closed.contains_key(&id) {
            id = ApprovalId::random();
        }
        state.waiting.insert(id.clone(), Waiting { request, tx });
        PendingApproval {
            id,
            rx,
            registry: self.clone(),
        }
    }

    /// Deliver the answer to the request `id`. Only the first answer counts.
    pub fn resolve(&self, id: &ApprovalId, decision: ApprovalDecision) -> Result<(), ResolveError> {
        let mut state = self.lock();
        let Some(waiting) = state.waiting.remove(id) else {
            return Err(match state.closed.get(id) {
                Some(Closed::Decided(decision)) => ResolveError::AlreadyDecided {
                    decision: decision.clone(),
                },
                Some(Closed::Expired) => ResolveError::Expired,
                None => ResolveError::Unknown,
            });
        };
        // Sent under the lock: the waiter cannot withdraw in between.
        let how = match waiting.tx.send(decision.clone()) {
            Ok(()) => Closed::Decided(decision),
            Err(_) => Closed::Expired,
        };
        let result = match how {
            Closed::Decided(_) => Ok(()),
            Closed::Expired => Err(ResolveError::Expired),
        };
        state.close(id.clone(), how, self.remember);
        result
    }

    /// The request waiting under `id`, if any.
    pub fn get(&self, id: &ApprovalId) -> Option<ApprovalRequest> {
        self.lock().waiting.get(id).map(|w| w.request.clone())
    }

    /// Every request still waiting, in no particular order.
    pub fn pending(&self) -> Vec<PendingEntry> {
        self.lock()
            .waiting
            .iter()
            .map(|(id, w)| PendingEntry {
                id: id.clone(),
                request: w.request.clone(),
            })
            .collect()
    }

    /// How many requests are waiting.
    pub fn len(&self) -> usize {
        self.lock().waiting.len()
    }

    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn withdraw(&self, id: &ApprovalId) {
        let mut state = self.lock();
        if state.waiting.remove(id).is_some() {
            state.close(id.clone(), Closed::Expired, self.remember);
        }
    }
}

/// The answer to one registered request, as a future. Dropping it withdraws the request.
#[must_use = "the request is withdrawn when this is dropped"]
pub struct PendingApproval {
    id: ApprovalId,
    rx: oneshot::Receiver<ApprovalDecision>,
    registry: PendingApprovals,
}

impl fmt::Debug for PendingApproval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingApproval")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl PendingApproval {
    /// The id to show to approvers.
    pub fn id(&self) -> &ApprovalId {
        &self.id
    }
}

impl Future for PendingApproval {
    type Output = CapResult<ApprovalDecision>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.rx).poll(cx).map(|r| {
            r.map_err(|_| CapabilityError::Permanent("approval request was withdrawn".into()))
        })
    }
}

impl Drop for PendingApproval {
    fn drop(&mut self) {
        self.registry.withdraw(&self.id);
    }
}
