//! The Adaptive Card of an approval request
//! (<https://adaptivecards.io/explorer/>, posted as a message attachment as described at
//! <https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using>).

use msp_agent_core::capability::{ApprovalId, ApprovalRequest};
use serde_json::{Value, json};

/// Longest text put in one TextBlock.
const MAX_TEXT_CHARS: usize = 4000;

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((idx, _)) => format!("{}…", &text[..idx]),
        None => text.to_owned(),
    }
}

/// The command an approver types in reply, e.g. `@MSP Agent approve 3f…`.
pub fn command(mention: &str, verb: &str, id: &ApprovalId) -> String {
    format!("@{mention} {verb} {id}")
}

fn text(text: impl Into<String>) -> Value {
    json!({ "type": "TextBlock", "text": text.into(), "wrap": true })
}

fn label(text: &str) -> Value {
    json!({ "type": "TextBlock", "text": text, "weight": "Bolder", "spacing": "Medium" })
}

fn show_command(title: &str, reply: String) -> Value {
    json!({
        "type": "Action.ShowCard",
        "title": title,
        "card": {
            "type": "AdaptiveCard",
            "body": [
                text("Reply in this thread with:"),
                { "type": "TextBlock", "text": reply, "wrap": true, "fontType": "Monospace" },
            ],
        },
    })
}

/// The Adaptive Card: ticket, tenant, action, reasoning, the exact change as JSON, and
/// Approve / Reject actions revealing the reply that decides (`approve <id>` /
/// `reject <id> <reason>`, @mentioning the outgoing webhook named `mention`).
pub fn approval_card(id: &ApprovalId, request: &ApprovalRequest, mention: &str) -> Value {
    // Defence in depth: the change should hold no secret already.
    let change = msp_agent_http::redact(&request.change);
    let change = serde_json::to_string_pretty(&change).unwrap_or_else(|_| change.to_string());
    let approve = command(mention, "approve", id);
    let reject = format!("{} <reason>", command(mention, "reject", id));
    json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": format!("Approval needed: {}", request.action),
                "size": "Large",
                "weight": "Bolder",
                "wrap": true,
            },
            {
                "type": "FactSet",
                "facts": [
                    { "title": "Ticket", "value": request.ticket.as_str() },
                    { "title": "Tenant", "value": request.tenant.as_str() },
                    { "title": "Action", "value": request.action },
                    { "title": "Approval id", "value": id.as_str() },
                ],
            },
            label("Reasoning"),
            text(truncate(&request.reasoning)),
            label("Change"),
            { "type": "TextBlock", "text": truncate(&change), "wrap": true, "fontType": "Monospace" },
            {
                "type": "TextBlock",
                "text": format!("To decide, reply in this thread: `{approve}` or `{reject}`"),
                "wrap": true,
                "isSubtle": true,
                "spacing": "Medium",
            },
        ],
        "actions": [
            show_command("Approve", approve),
            show_command("Reject", reject),
        ],
    })
}

/// The message posted to the Workflows / incoming-webhook URL: one Adaptive Card
/// attachment.
pub fn approval_message(id: &ApprovalId, request: &ApprovalRequest, mention: &str) -> Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": approval_card(id, request, mention),
        }],
    })
}
