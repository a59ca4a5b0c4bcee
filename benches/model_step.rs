//! Framework overhead per tool-calling step of the model loop: argument parsing, validation,
//! policy decision, audit record with hash chain, and the tool result back into the
//! conversation. The model answers in-process (no server time to subtract) and the tool is a
//! simulated-PSA read, so what is measured is msp-agent's own work per step.
//!
//! `cargo bench --bench model_step`; target < 50 µs per step.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use msp_agent::capability::{
    ChatMessage, ChatModel, ChatRequest, ChatResponse, Role, ToolCall, Usage,
};
use msp_agent::domain::{Intent, TenantId};
use msp_agent::pipeline::model::{ModelLimits, ModelReason};
use msp_agent::pipeline::{Perceive, PolicyGate, Reason, RulePerceive};
use msp_agent::prelude::*;
use msp_agent::sim::SimMsp;
use msp_agent::tool::ToolContext;

/// Steps per loop run.
const STEPS: u32 = 500;

/// A model that always proposes the same read.
struct Repeat(ChatResponse);

#[async_trait::async_trait]
impl ChatModel for Repeat {
    async fn complete(&self, _: &ChatRequest) -> msp_agent::CapResult<ChatResponse> {
        Ok(self.0.clone())
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let msp = SimMsp::seeded();
    let caps = msp.capabilities();
    let tenant = TenantId::from("acme");
    let ticket_id = msp
        .add_ticket(
            &tenant,
            "maria.gonzalez@acme.example",
            "Printer jobs stuck",
            "Nothing I send to the office printer comes out. Can you clear it?",
            Intent::PrinterIssue,
        )
        .unwrap();
    let ticket = msp.ticket(&tenant, &ticket_id).unwrap();
    let tools = ToolRegistry::builtin();
    let call = ChatResponse {
        message: ChatMessage {
            role: Role::Assistant,
            content: String::new(),
            tool_calls: vec![ToolCall {
                id: "c".into(),
                name: "get_ticket".into(),
                arguments: "{}".into(),
            }],
            tool_call_id: None,
        },
        usage: Usage::default(),
    };
    let cx = ToolContext::new(&tenant, &ticket_id, &caps);
    let perception = rt
        .block_on(RulePerceive::new().perceive(&cx, &ticket))
        .unwrap();

    let mut group = c.benchmark_group("model_loop");
    group.sample_size(10);
    group.bench_function("per_tool_step", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                // A fresh gate and audit sink per run: the conversation and the audit chain
                // grow with the steps, as in a real run.
                let gate = PolicyGate::new(
                    Arc::new(PolicyEngine::builtin()),
                    Arc::new(tools.clone()),
                    Arc::new(MemoryAuditSink::new()),
                );
                let reason =
                    ModelReason::new(Arc::new(Repeat(call.clone())), &tools, Arc::new(gate))
                        .limits(ModelLimits {
                            max_steps: STEPS,
                            max_calls: STEPS,
                            ..ModelLimits::default()
                        });
                let started = Instant::now();
                let plan = rt.block_on(reason.plan(&cx, &ticket, &perception)).unwrap();
                total += started.elapsed() / STEPS;
                assert_eq!(plan.taken.len(), STEPS as usize);
            }
            total
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
