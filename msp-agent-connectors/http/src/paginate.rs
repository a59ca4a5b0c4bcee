//! Pagination as a stream of items, one page in memory at a time.

use futures::stream::{self, Stream, TryStreamExt};
use reqwest::header::{HeaderMap, LINK};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::{HttpClient, Request};
use crate::error::HttpError;

/// Where the cursor of the next page comes from ([`PageStyle::Cursor`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorSource {
    /// A field of the last item of the page (e.g. `id` for `?after=<last id>`).
    LastItemField(String),
    /// A JSON pointer into the page body (e.g. `/meta/next_cursor`); missing, null or
    /// empty means no more pages.
    BodyPointer(String),
}

/// How a vendor API links one page to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStyle {
    /// Numbered pages (`?page=2&pageSize=100`); stops on a short or empty page.
    PageNumber {
        /// Name of the page-number query parameter (e.g. `page`).
        page_param: String,
        /// Name of the page-size query parameter (e.g. `pageSize`).
        size_param: String,
        /// Items requested per page.
        page_size: u32,
        /// Number of the first page (usually 1).
        first_page: u32,
    },
    /// The body holds the next page's URL at a JSON pointer (OData `@odata.nextLink`,
    /// JSON:API `links.next`, Autotask `pageDetails.nextPageUrl`); missing or null stops.
    NextUrlInBody {
        /// JSON pointer of the next URL (absolute, or relative to the current URL).
        pointer: String,
    },
    /// RFC 8288 `Link: <…>; rel="next"` response header; absent stops.
    LinkHeader,
    /// A cursor query parameter (e.g. `after`); stops on an empty page or no cursor.
    Cursor {
        /// Name of the cursor query parameter.
        param: String,
        /// Where the next cursor is read from.
        source: CursorSource,
    },
}

/// A [`PageStyle`] plus where the items are in each page body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    style: PageStyle,
    items_pointer: String,
}

impl Pagination {
    /// Pagination of `style`, items in a top-level JSON array (pointer `""`).
    pub fn new(style: PageStyle) -> Self {
        Self {
            style,
            items_pointer: String::new(),
        }
    }

    /// Numbered pages with the given parameter names and size, starting at page 1.
    pub fn page_number(
        page_param: impl Into<String>,
        size_param: impl Into<String>,
        page_size: u32,
    ) -> Self {
        Self::new(PageStyle::PageNumber {
            page_param: page_param.into(),
            size_param: size_param.into(),
            page_size,
            first_page: 1,
        })
    }

    /// OData (Microsoft Graph): items in `value`, next page in `@odata.nextLink`.
    pub fn odata() -> Self {
        Self::next_url_at("/@odata.nextLink").items_at("/value")
    }

    /// JSON:API: items in `data`, next page in `links.next`.
    pub fn json_api() -> Self {
        Self::next_url_at("/links/next").items_at("/data")
    }

    /// Next page URL at a JSON `pointer` in the body.
    pub fn next_url_at(pointer: impl Into<String>) -> Self {
        Self::new(PageStyle::NextUrlInBody {
            pointer: pointer.into(),
        })
    }

    /// Next page URL in the `Link` header (`rel="next"`).
    pub fn link_header() -> Self {
        Self::new(PageStyle::LinkHeader)
    }

    /// Cursor parameter `param` set to `field` of the last item of the previous page.
    pub fn cursor_from_last_item(param: impl Into<String>, field: impl Into<String>) -> Self {
        Self::new(PageStyle::Cursor {
            param: param.into(),
            source: CursorSource::LastItemField(field.into()),
        })
    }

    /// Cursor parameter `param` set to the value at JSON `pointer` in the previous page.
    pub fn cursor_from_body(param: impl Into<String>, pointer: impl Into<String>) -> Self {
        Self::new(PageStyle::Cursor {
            param: param.into(),
            source: CursorSource::BodyPointer(pointer.into()),
        })
    }

    /// Items are the JSON array at `pointer` (`""` = the whole body; null = no items).
    pub fn items_at(mut self, pointer: impl Into<String>) -> Self {
        self.items_pointer = pointer.into();
        self
    }

    /// For numbered pages: the number of the first page (default 1).
    pub fn first_page(mut self, first: u32) -> Self {
        if let PageStyle::PageNumber { first_page, .. } = &mut self.style {
            *first_page = first;
        }
        self
    }

    /// The page style.
    pub fn style(&self) -> &PageStyle {
        &self.style
    }
}

struct State {
    client: HttpClient,
    pagination: Pagination,
    next: Option<Request>,
    page: u32,
}

/// Stream every item of a paginated listing, fetching pages lazily (one page in memory).
///
/// `request` is the first page's request; each page is sent with [`HttpClient::send`]
/// (auth, retries, rate limiting, audit). The stream ends after the last page or after
/// the first error, which it yields. A next page identical to the current request stops
/// the stream (no infinite loops on misbehaving APIs).
pub fn paginate<T>(
    client: &HttpClient,
    request: Request,
    pagination: Pagination,
) -> impl Stream<Item = Result<T, HttpError>> + Send + 'static
where
    T: DeserializeOwned + Send + 'static,
{
    let (first, page) = match &pagination.style {
        PageStyle::PageNumber {
            page_param,
            size_param,
            page_size,
            first_page,
        } => (
            request
                .set_query(page_param.clone(), first_page)
                .set_query(size_param.clone(), page_size),
            *first_page,
        ),
        _ => (request, 0),
    };
    let state = State {
        client: client.clone(),
        pagination,
        next: Some(first),
        page,
    };
    stream::try_unfold(state, |mut st| async move {
        let Some(req) = st.next.take() else {
            return Ok(None);
        };
        let resp = st.client.send(&req).await?;
        let mut body: Value = resp.json()?;
        let items = take_items(&mut body, &st.pagination.items_pointer)?;
        let next = next_request(&st, &req, &body, resp.headers(), &items)?;
        st.next = next.filter(|n| *n != req);
        st.page = st.page.saturating_add(1);
        let items = items
            .into_iter()
            .map(|item| {
                serde_json::from_value(item)
                    .map_err(|e| HttpError::MalformedResponse(format!("page item: {e}")))
            })
            .collect::<Result<Vec<T>, _>>()?;
        Ok(Some((items, st)))
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
}

/// Move the items array out of the body (leaving null behind).
fn take_items(body: &mut Value, pointer: &str) -> Result<Vec<Value>, HttpError> {
    let slot = body.pointer_mut(pointer).map(Value::take);
    match slot {
        Some(Value::Array(items)) => Ok(items),
        Some(Value::Null) => Ok(Vec::new()),
        Some(other) => Err(HttpError::MalformedResponse(format!(
            "expected an array of items at `{pointer}`, got {}",
            kind(&other)
        ))),
        None => Err(HttpError::MalformedResponse(format!(
            "no items at `{pointer}`"
        ))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A scalar JSON value as cursor text; None for null, empty or structured values.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn next_request(
    st: &State,
    req: &Request,
    body: &Value,
    headers: &HeaderMap,
    items: &[Value],
) -> Result<Option<Request>, HttpError> {
    let follow = |link: &str| -> Result<Request, HttpError> {
        let current = st.client.url_for(req)?;
        let url = current
            .join(link)
            .map_err(|e| HttpError::MalformedResponse(format!("next link `{link}`: {e}")))?;
        Ok(req.clone().with_path(url.to_string()))
    };
    Ok(match &st.pagination.style {
        PageStyle::PageNumber {
            page_param,
            page_size,
            ..
        } => {
            let full = u32::try_from(items.len()).unwrap_or(u32::MAX) >= *page_size;
            (full && !items.is_empty())
                .then(|| req.clone().set_query(page_param.clone(), st.page + 1))
        }
        PageStyle::NextUrlInBody { pointer } => {
            match body.pointer(pointer).and_then(Value::as_str) {
                Some(link) if !link.is_empty() => Some(follow(link)?),
                _ => None,
            }
        }
        PageStyle::LinkHeader => match next_link(headers) {
            Some(link) => Some(follow(&link)?),
            None => None,
        },
        PageStyle::Cursor { param, source } => {
            if items.is_empty() {
                None
            } else {
                let cursor = match source {
                    CursorSource::LastItemField(field) => items
                        .last()
                        .and_then(|item| item.get(field))
                        .and_then(scalar_text),
                    CursorSource::BodyPointer(pointer) => {
                        body.pointer(pointer).and_then(scalar_text)
                    }
                };
                cursor.map(|c| req.clone().set_query(param.clone(), c))
            }
        }
    })
}

/// The target of the `rel="next"` link in `Link` headers (RFC 8288).
fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|link| {
            let link = link.trim();
            let rest = link.strip_prefix('<')?;
            let (target, params) = rest.split_once('>')?;
            let is_next = params.split(';').any(|p| {
                let Some((name, value)) = p.trim().split_once('=') else {
                    return false;
                };
                name.trim().eq_ignore_ascii_case("rel")
                    && value
                        .trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("next"))
            });
            is_next.then(|| target.to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn parses_link_header() {
        let mut h = HeaderMap::new();
        h.append(
            LINK,
            HeaderValue::from_static(
                r#"<https://a.example/x?page=1>; rel="prev", <https://a.example/x?page=3>; rel="next last""#,
            ),
        );
        assert_eq!(next_link(&h).as_deref(), Some("https://a.example/x?page=3"));
        let mut h = HeaderMap::new();
        h.append(LINK, HeaderValue::from_static(r#"</x?page=1>; rel=prev"#));
        assert_eq!(next_link(&h), None);
    }
}
