//! IT Glue JSON:API resources, text helpers (HTML to text, ranking) and error mapping.

use msp_agent_core::CapabilityError;
use msp_agent_http::HttpError;
use secrecy::SecretString;
use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One JSON:API resource object (`{"id", "type", "attributes"}`).
#[derive(Debug, Deserialize)]
pub(crate) struct Resource<A> {
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    pub attributes: A,
}

/// A single-resource document (`{"data": {...}}`).
#[derive(Debug, Deserialize)]
pub(crate) struct Single<A> {
    pub data: Resource<A>,
}

/// Attributes of a flexible asset.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct AssetAttrs {
    #[serde(default, deserialize_with = "opt_u64")]
    pub organization_id: Option<u64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub flexible_asset_type_name: Option<String>,
    #[serde(default)]
    pub traits: Option<Map<String, Value>>,
    #[serde(default)]
    pub archived: Option<bool>,
}

/// Attributes of a document.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct DocumentAttrs {
    #[serde(default, deserialize_with = "opt_u64")]
    pub organization_id: Option<u64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub archived: Option<bool>,
}

/// Attributes of a password in a listing (no secret requested).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct PasswordEntry {
    #[serde(default, deserialize_with = "opt_u64")]
    pub organization_id: Option<u64>,
    #[serde(default)]
    pub name: String,
}

/// Attributes of a password read with `show_password=true`. No `Debug`: the secret is
/// only ever held as a [`SecretString`].
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct PasswordSecret {
    #[serde(default, deserialize_with = "opt_u64")]
    pub organization_id: Option<u64>,
    #[serde(default)]
    pub password: Option<SecretString>,
}

/// A JSON:API id: a string (as documented) or, leniently, a number.
fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) if !s.is_empty() => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(D::Error::custom(format!("invalid id {other}"))),
    }
}

/// A numeric attribute sent as a number or a numeric string; null is `None`.
fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("invalid id {n}"))),
        Value::String(s) => s
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("invalid id {s:?}"))),
        other => Err(D::Error::custom(format!("invalid id {other}"))),
    }
}

/// Plain text of an HTML fragment: tags dropped (block ends become line breaks), common
/// entities decoded, blank runs collapsed. Deliberately simple: IT Glue rich text is
/// well-formed editor output, not arbitrary HTML.
pub fn html_to_text(html: &str) -> String {
    const BREAKS: &[&str] = &[
        "br", "/p", "/div", "/li", "/tr", "/h1", "/h2", "/h3", "/h4", "/h5", "/h6", "/pre",
    ];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('>') else {
            rest = &rest[start..];
            break;
        };
        let tag = rest[start + 1..start + len].trim().to_ascii_lowercase();
        let word: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let name = if tag.starts_with('/') {
            format!("/{word}")
        } else {
            word
        };
        if BREAKS.contains(&name.as_str()) {
            out.push('\n');
        } else if name == "td" || name == "/td" || name == "th" {
            out.push(' ');
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    let decoded = decode_entities(&out);
    decoded
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let entity = tail
            .find(';')
            .filter(|&end| end <= 10)
            .map(|end| &tail[1..end]);
        let decoded = entity.and_then(|e| match e {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => e
                .strip_prefix("#x")
                .or_else(|| e.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| e.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        });
        match (entity, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &tail[e.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The lower-cased words of a query (alphanumeric runs).
pub fn query_words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Relevance of a document to the query words: 3 per word in the title, 2 per word in a
/// tag, 1 per word in the body. An empty query scores every document 1.
pub fn score(words: &[String], title: &str, body: &str, tags: &[String]) -> u32 {
    if words.is_empty() {
        return 1;
    }
    let title = title.to_lowercase();
    let body = body.to_lowercase();
    let tags: Vec<String> = tags.iter().map(|t| t.to_lowercase()).collect();
    words
        .iter()
        .map(|w| {
            let mut s = 0;
            if title.contains(w.as_str()) {
                s += 3;
            }
            if tags.iter().any(|t| t.contains(w.as_str())) {
                s += 2;
            }
            if body.contains(w.as_str()) {
                s += 1;
            }
            s
        })
        .sum()
}

/// A JSON:API error object (`{"errors": [{"status", "title", "detail"}]}`).
#[derive(Debug, Deserialize, Serialize)]
struct ErrorObject {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ErrorDocument {
    errors: Vec<ErrorObject>,
}

/// The readable text of an IT Glue error body (`title: detail; …`), or the body as is.
fn vendor_message(body: String) -> String {
    let Ok(doc) = serde_json::from_str::<ErrorDocument>(&body) else {
        return body;
    };
    let parts: Vec<String> = doc
        .errors
        .into_iter()
        .filter_map(|e| match (e.title, e.detail) {
            (Some(t), Some(d)) if t != d => Some(format!("{t}: {d}")),
            (Some(t), _) => Some(t),
            (None, d) => d,
        })
        .collect();
    if parts.is_empty() {
        body
    } else {
        parts.join("; ")
    }
}

/// Map an HTTP error, replacing JSON:API error bodies by their titles and details.
pub(crate) fn map_err(err: HttpError) -> CapabilityError {
    let err = match err {
        HttpError::InvalidInput { status, body } => HttpError::InvalidInput {
            status,
            body: vendor_message(body),
        },
        HttpError::Unauthorized(m) => HttpError::Unauthorized(vendor_message(m)),
        HttpError::Forbidden(m) => HttpError::Forbidden(vendor_message(m)),
        HttpError::NotFound(m) => HttpError::NotFound(vendor_message(m)),
        HttpError::Conflict(m) => HttpError::Conflict(vendor_message(m)),
        HttpError::Server {
            status,
            body,
            retry_after,
        } => HttpError::Server {
            status,
            body: vendor_message(body),
            retry_after,
        },
        HttpError::UnexpectedStatus { status, body } => HttpError::UnexpectedStatus {
            status,
            body: vendor_message(body),
        },
        other => other,
    };
    CapabilityError::from(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_html() {
        let html = "<h1>VPN&nbsp;setup</h1><p>Open <b>FortiClient</b> &amp; connect.<br/>Then \
                    test.</p><ul><li>a &lt; b</li><li>&#x263A; &#65;</li></ul>";
        assert_eq!(
            html_to_text(html),
            "VPN setup\nOpen FortiClient & connect.\nThen test.\na < b\n☺ A"
        );
        assert_eq!(
            html_to_text("plain &unknown; & text"),
            "plain &unknown; & text"
        );
        assert_eq!(html_to_text("unclosed <b"), "unclosed <b");
        assert_eq!(
            html_to_text("<p>{</p><p>&quot;a&quot;: 1</p><p>}</p>"),
            "{\n\"a\": 1\n}"
        );
    }

    #[test]
    fn ranks_words() {
        let w = query_words("VPN, reset!");
        assert_eq!(w, vec!["vpn", "reset"]);
        let tags = vec!["SOP".to_string()];
        assert_eq!(score(&w, "VPN setup", "how to reset", &tags), 4);
        assert_eq!(score(&w, "Printer", "nothing", &tags), 0);
        assert_eq!(score(&query_words("sop"), "x", "y", &tags), 2);
        assert_eq!(score(&[], "x", "y", &tags), 1);
    }

    #[test]
    fn vendor_messages() {
        let body = r#"{"errors":[{"status":"404","title":"Record not found","detail":"id 5"}]}"#;
        assert_eq!(vendor_message(body.into()), "Record not found: id 5");
        assert_eq!(vendor_message("oops".into()), "oops");
        assert_eq!(
            map_err(HttpError::NotFound(body.into())),
            CapabilityError::NotFound("Record not found: id 5".into())
        );
    }
}
