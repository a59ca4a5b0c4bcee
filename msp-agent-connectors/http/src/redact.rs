//! Redaction of secrets from request bodies and URLs before they are logged or audited.

use msp_agent_core::audit::REDACTED;
use serde_json::Value;

/// Lower-cased key fragments that mark a value as secret.
const SECRET_FRAGMENTS: &[&str] = &[
    "password", "secret", "token", "apikey", "api_key", "api-key", "passcode",
];

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_FRAGMENTS.iter().any(|f| key.contains(f))
}

/// A copy of `value` where the value of every object key whose lower-cased name contains
/// `password`, `secret`, `token`, `apikey`/`api_key`/`api-key` or `passcode` is replaced by
/// [`REDACTED`], recursively through objects and arrays.
pub fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            // Keys in sorted order whatever serde_json's `preserve_order` feature says, so
            // a redacted body renders the same in every build.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        let v = if is_secret_key(k) {
                            Value::String(REDACTED.to_string())
                        } else {
                            redact(v)
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

/// A copy of `url` where the value of every query parameter with a secret-looking name
/// (same rule as [`redact`]) is replaced by [`REDACTED`]; any user info is dropped.
pub fn redact_url(url: &reqwest::Url) -> String {
    let mut out = url.clone();
    // Both setters only fail for URLs that cannot have credentials, which have none.
    let _ = out.set_username("");
    let _ = out.set_password(None);
    if out.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_secret_key(&k) {
                    REDACTED.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        out.query_pairs_mut().clear().extend_pairs(pairs);
    }
    out.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_recursively() {
        let body = json!({
            "user": "alice",
            "Password": "hunter2",
            "passwordProfile": {"password": "x", "forceChange": true},
            "nested": [{"client_secret": "s", "keep": 1}, {"deep": {"accessToken": "t"}}],
            "ApiKey": "k", "x_api_key": "k2", "PassCode": 1234,
            "count": 3
        });
        let r = redact(&body);
        assert_eq!(
            r,
            json!({
                "user": "alice",
                "Password": REDACTED,
                "passwordProfile": REDACTED,
                "nested": [{"client_secret": REDACTED, "keep": 1}, {"deep": {"accessToken": REDACTED}}],
                "ApiKey": REDACTED, "x_api_key": REDACTED, "PassCode": REDACTED,
                "count": 3
            })
        );
        assert_eq!(redact(&json!("token")), json!("token"));
        assert_eq!(redact(&Value::Null), Value::Null);
    }

    #[test]
    fn redacts_url_query() -> Result<(), url_err::E> {
        let url = reqwest::Url::parse("https://u:p@h.example/a?api_key=abc&page=2&sig=1")?;
        let r = redact_url(&url);
        assert!(!r.contains("abc"));
        assert!(!r.contains("u:p"));
        assert!(r.contains("page=2"));
        assert!(r.contains("api_key=%5BREDACTED%5D"));
        Ok(())
    }

    mod url_err {
        pub type E = Box<dyn std::error::Error>;
    }
}
