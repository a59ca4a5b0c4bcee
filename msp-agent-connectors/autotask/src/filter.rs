//! Autotask query filters: `{"MaxRecords": n, "filter": [{"op","field","value"}, …]}`.
//!
//! Filters are JSON, built with `serde_json`, so user text (an e-mail address, a search
//! string) is always a JSON string value and can never change the query's structure.
//! See "Making basic query calls to the REST API":
//! <https://www.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Basic_Query_Calls.htm>

use serde_json::{Value, json};

/// A list of filter expressions, combined with AND (Autotask's default).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter(Vec<Value>);

impl Filter {
    /// No expressions yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn push(mut self, op: &str, field: &str, value: Value) -> Self {
        self.0
            .push(json!({"op": op, "field": field, "value": value}));
        self
    }

    /// `field` equals `value`.
    pub fn eq(self, field: &str, value: impl Into<Value>) -> Self {
        self.push("eq", field, value.into())
    }

    /// `field` is one of `values`.
    pub fn any_of<V: Into<Value>>(self, field: &str, values: impl IntoIterator<Item = V>) -> Self {
        let values: Vec<Value> = values.into_iter().map(Into::into).collect();
        self.push("in", field, Value::Array(values))
    }

    /// `field` contains `text`.
    pub fn contains(self, field: &str, text: &str) -> Self {
        self.push("contains", field, text.into())
    }

    /// At least one expression of `alternatives` holds (an `or` group).
    pub fn or(mut self, alternatives: Filter) -> Self {
        self.0.push(json!({"op": "or", "items": alternatives.0}));
        self
    }

    /// The expressions.
    pub fn items(&self) -> &[Value] {
        &self.0
    }

    /// The query document with at most `max_records` per page.
    pub fn query(&self, max_records: u32) -> Value {
        json!({"MaxRecords": max_records, "filter": self.0})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_documented_shape() {
        let f = Filter::new()
            .eq("companyID", 250)
            .any_of("status", [1, 8])
            .or(Filter::new()
                .contains("title", "\"vpn\"}")
                .contains("description", "vpn"));
        assert_eq!(
            f.query(50),
            json!({"MaxRecords": 50, "filter": [
                {"op": "eq", "field": "companyID", "value": 250},
                {"op": "in", "field": "status", "value": [1, 8]},
                {"op": "or", "items": [
                    {"op": "contains", "field": "title", "value": "\"vpn\"}"},
                    {"op": "contains", "field": "description", "value": "vpn"},
                ]},
            ]})
        );
    }
}
