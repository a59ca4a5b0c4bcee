//! The Block Kit approval message (<https://api.slack.com/reference/block-kit/blocks>,
//! <https://api.slack.com/reference/block-kit/block-elements#button>).

use msp_agent_core::capability::{ApprovalDecision, ApprovalId, ApprovalRequest};
use serde_json::{Value, json};

/// `block_id` of the actions block holding the buttons.
pub const ACTIONS_BLOCK_ID: &str = "msp_agent_approval";
/// `action_id` of the Approve button (its `value` is the approval id).
pub const APPROVE_ACTION_ID: &str = "msp_agent_approve";
/// `action_id` of the Reject button (its `value` is the approval id).
pub const REJECT_ACTION_ID: &str = "msp_agent_reject";

/// Slack's limit on a section's text is 3000 characters.
const MAX_SECTION_CHARS: usize = 2900;
/// Slack's limit on a header's text is 150 characters.
const MAX_HEADER_CHARS: usize = 150;

/// Escape `&`, `<` and `>` as Slack's mrkdwn requires
/// (<https://api.slack.com/reference/surfaces/formatting#escaping>).
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((idx, _)) => format!("{}…", &text[..idx]),
        None => text.to_owned(),
    }
}

fn mrkdwn(text: String) -> Value {
    json!({ "type": "mrkdwn", "text": text })
}

/// The notification text (shown in notifications and by clients without blocks).
pub fn fallback_text(request: &ApprovalRequest) -> String {
    format!(
        "Approval needed: {} on ticket {} ({})",
        request.action, request.ticket, request.tenant
    )
}

/// The message blocks: ticket, tenant, action, reasoning, the exact change as JSON, and
/// Approve / Reject buttons carrying `id`.
pub fn approval_blocks(id: &ApprovalId, request: &ApprovalRequest) -> Value {
    // Defence in depth: the change should hold no secret already.
    let change = msp_agent_http::redact(&request.change);
    let change = serde_json::to_string_pretty(&change).unwrap_or_else(|_| change.to_string());
    let button = |text: &str, action_id: &str, style: &str| {
        json!({
            "type": "button",
            "text": { "type": "plain_text", "text": text },
            "action_id": action_id,
            "value": id.as_str(),
            "style": style,
        })
    };
    json!([
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": truncate(&format!("Approval needed: {}", request.action), MAX_HEADER_CHARS - 1),
            },
        },
        {
            "type": "section",
            "fields": [
                mrkdwn(format!("*Ticket*\n{}", escape(request.ticket.as_str()))),
                mrkdwn(format!("*Tenant*\n{}", escape(request.tenant.as_str()))),
                mrkdwn(format!("*Action*\n`{}`", escape(&request.action))),
            ],
        },
        {
            "type": "section",
            "text": mrkdwn(truncate(&format!("*Reasoning*\n{}", escape(&request.reasoning)), MAX_SECTION_CHARS)),
        },
        {
            "type": "section",
            "text": mrkdwn(format!("*Change*\n```{}```", truncate(&escape(&change), MAX_SECTION_CHARS))),
        },
        {
            "type": "actions",
            "block_id": ACTIONS_BLOCK_ID,
            "elements": [
                button("Approve", APPROVE_ACTION_ID, "primary"),
                button("Reject", REJECT_ACTION_ID, "danger"),
            ],
        },
        {
            "type": "context",
            "elements": [mrkdwn(format!("Approval id `{id}`"))],
        },
    ])
}

/// One line telling the outcome, e.g. `:white_check_mark: Approved by <@U123>`.
pub fn outcome_text(decision: &ApprovalDecision, user_id: &str) -> String {
    match decision {
        ApprovalDecision::Approved { .. } => {
            format!(":white_check_mark: Approved by <@{}>", escape(user_id))
        }
        ApprovalDecision::Rejected { .. } => {
            format!(":no_entry: Rejected by <@{}>", escape(user_id))
        }
    }
}

/// The original blocks without the buttons, followed by the outcome.
pub fn decided_blocks(original: &[Value], outcome: &str) -> Value {
    let mut blocks: Vec<Value> = original
        .iter()
        .filter(|b| b.get("block_id").and_then(Value::as_str) != Some(ACTIONS_BLOCK_ID))
        .cloned()
        .collect();
    blocks.push(json!({ "type": "section", "text": mrkdwn(outcome.to_owned()) }));
    Value::Array(blocks)
}
