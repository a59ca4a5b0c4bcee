//! Building ConnectWise `conditions` / `childConditions` query strings.
//!
//! Syntax per the Developer Guide's "Conditions" section
//! (<https://developer.connectwise.com/Products/ConnectWise_PSA/Developer_Guide#Conditions>):
//! `field/sub=value` clauses joined with `and` / `or`; strings in double quotes, numbers
//! and booleans bare; operators `=`, `!=`, `<`, `>`, `contains`, `like`, `in (...)`.
//!
//! Every user-supplied string goes through [`quote`], which escapes `\` and `"` with a
//! backslash, so a value can never close its quotes and inject further clauses.

use std::fmt::Write as _;

/// `value` as a quoted condition string literal: `"..."` with `\` and `"` escaped.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            // Control characters have no business in a condition; drop them.
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A conjunction of condition clauses (`a and b and c`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    clauses: Vec<String>,
}

impl Conditions {
    /// No clauses.
    pub fn new() -> Self {
        Self::default()
    }

    /// `field=number`.
    pub fn eq_num(mut self, field: &str, value: u64) -> Self {
        self.clauses.push(format!("{field}={value}"));
        self
    }

    /// `field=true|false`.
    pub fn eq_bool(mut self, field: &str, value: bool) -> Self {
        self.clauses.push(format!("{field}={value}"));
        self
    }

    /// `field="value"` (escaped).
    pub fn eq_str(mut self, field: &str, value: &str) -> Self {
        self.clauses.push(format!("{field}={}", quote(value)));
        self
    }

    /// `field contains "value"` (escaped).
    pub fn contains(mut self, field: &str, value: &str) -> Self {
        self.clauses
            .push(format!("{field} contains {}", quote(value)));
        self
    }

    /// `field in ("a","b")` (escaped); one value becomes `field="a"`.
    pub fn in_str<S: AsRef<str>>(mut self, field: &str, values: &[S]) -> Self {
        match values {
            [one] => return self.eq_str(field, one.as_ref()),
            _ => {
                let mut list = String::new();
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        list.push(',');
                    }
                    let _ = write!(list, "{}", quote(v.as_ref()));
                }
                self.clauses.push(format!("{field} in ({list})"));
            }
        }
        self
    }

    /// True when there is no clause.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// The clauses joined with `joiner` (ConnectWise accepts `and` and `AND`).
    pub fn join(&self, joiner: &str) -> String {
        self.clauses.join(&format!(" {joiner} "))
    }
}

impl std::fmt::Display for Conditions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.join("and"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(quote("New"), r#""New""#);
        assert_eq!(quote(r#"a" or id>0 or x=""#), r#""a\" or id>0 or x=\"""#);
        assert_eq!(quote(r"back\slash"), r#""back\\slash""#);
        assert_eq!(quote("line\nbreak"), r#""linebreak""#);
    }

    #[test]
    fn joins_clauses() {
        let c = Conditions::new()
            .eq_num("company/id", 250)
            .in_str("status/name", &["New", "Re-opened"])
            .contains("summary", "vpn")
            .eq_bool("inactiveFlag", false);
        assert_eq!(
            c.to_string(),
            r#"company/id=250 and status/name in ("New","Re-opened") and summary contains "vpn" and inactiveFlag=false"#
        );
        assert_eq!(
            Conditions::new()
                .in_str("status/name", &["New"])
                .to_string(),
            r#"status/name="New""#
        );
    }
}
