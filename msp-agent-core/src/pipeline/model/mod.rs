//! Model-driven triage and planning (Perceive and Reason backed by a [`ChatModel`](crate::capability::ChatModel)).
