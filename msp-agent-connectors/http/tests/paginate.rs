//! Every pagination style across three pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use futures::{StreamExt, TryStreamExt};
use msp_agent_http::{HttpError, Pagination, Request, paginate};
use serde::Deserialize;
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::client;

#[derive(Debug, Deserialize, PartialEq)]
struct Item {
    id: u32,
}

fn ids(items: &[Item]) -> Vec<u32> {
    items.iter().map(|i| i.id).collect()
}

async fn respond(server: &MockServer, m: Mock) {
    m.expect(1).mount(server).await;
}

#[tokio::test]
async fn page_number_stops_on_short_page() {
    let server = MockServer::start().await;
    for (page, body) in [
        (1, json!([{"id": 1}, {"id": 2}])),
        (2, json!([{"id": 3}, {"id": 4}])),
        (3, json!([{"id": 5}])),
    ] {
        respond(
            &server,
            Mock::given(method("GET"))
                .and(path("/tickets"))
                .and(query_param("conditions", "closed=false"))
                .and(query_param("page", page.to_string()))
                .and(query_param("pageSize", "2"))
                .respond_with(ResponseTemplate::new(200).set_body_json(body)),
        )
        .await;
    }
    let c = client(&server.uri());
    let items: Vec<Item> = paginate(
        &c,
        Request::get("/tickets").query("conditions", "closed=false"),
        Pagination::page_number("page", "pageSize", 2),
    )
    .try_collect()
    .await
    .unwrap();
    assert_eq!(ids(&items), [1, 2, 3, 4, 5]);
    server.verify().await;
}

#[tokio::test]
async fn page_number_stops_on_empty_page() {
    let server = MockServer::start().await;
    for (page, body) in [
        (0, json!({"items": [{"id": 1}]})),
        (1, json!({"items": [{"id": 2}]})),
        (2, json!({"items": []})),
    ] {
        respond(
            &server,
            Mock::given(method("GET"))
                .and(query_param("p", page.to_string()))
                .respond_with(ResponseTemplate::new(200).set_body_json(body)),
        )
        .await;
    }
    let c = client(&server.uri());
    let items: Vec<Item> = paginate(
        &c,
        Request::get("/x"),
        Pagination::page_number("p", "n", 1)
            .first_page(0)
            .items_at("/items"),
    )
    .try_collect()
    .await
    .unwrap();
    assert_eq!(ids(&items), [1, 2]);
    server.verify().await;
}

#[tokio::test]
async fn odata_next_link() {
    let server = MockServer::start().await;
    let base = server.uri();
    respond(
        &server,
        Mock::given(method("GET"))
            .and(path("/v1.0/users"))
            .and(query_param("$top", "2"))
            .and(query_param_is_missing("$skiptoken"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "value": [{"id": 1}, {"id": 2}],
                "@odata.nextLink": format!("{base}/v1.0/users?$top=2&$skiptoken=A")
            }))),
    )
    .await;
    respond(
        &server,
        Mock::given(method("GET"))
            .and(query_param("$skiptoken", "A"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "value": [{"id": 3}, {"id": 4}],
                "@odata.nextLink": format!("{base}/v1.0/users?$top=2&$skiptoken=B")
            }))),
    )
    .await;
    respond(
        &server,
        Mock::given(method("GET"))
            .and(query_param("$skiptoken", "B"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{"id": 5}]}))),
    )
    .await;
    let c = client(&format!("{base}/v1.0"));
    let items: Vec<Item> = paginate(
        &c,
        Request::get("/users").query("$top", 2),
        Pagination::odata(),
    )
    .try_collect()
    .await
    .unwrap();
    assert_eq!(ids(&items), [1, 2, 3, 4, 5]);
    server.verify().await;
}

#[tokio::test]
async fn link_header() {
    let server = MockServer::start().await;
    let base = server.uri();
    for (page, next) in [("1", Some("2")), ("2", Some("3")), ("3", None)] {
        let mut resp =
            ResponseTemplate::new(200).set_body_json(json!([{"id": page.parse::<u32>().unwrap()}]));
        if let Some(n) = next {
            resp = resp.insert_header(
                "Link",
                format!(r#"<{base}/api/devices?page=1>; rel="first", <{base}/api/devices?page={n}>; rel="next""#).as_str(),
            );
        }
        let m = Mock::given(method("GET")).and(path("/api/devices"));
        let m = if page == "1" {
            m.and(query_param_is_missing("page"))
        } else {
            m.and(query_param("page", page))
        };
        respond(&server, m.respond_with(resp)).await;
    }
    let c = client(&format!("{base}/api"));
    let items: Vec<Item> = paginate(&c, Request::get("devices"), Pagination::link_header())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), [1, 2, 3]);
    server.verify().await;
}

#[tokio::test]
async fn json_api_links_next_relative() {
    let server = MockServer::start().await;
    for (page, next) in [
        ("1", json!("/api/orgs?page%5Bnumber%5D=2")),
        ("2", json!("/api/orgs?page%5Bnumber%5D=3")),
        ("3", json!(null)),
    ] {
        let n: u32 = page.parse().unwrap();
        respond(
            &server,
            Mock::given(method("GET"))
                .and(path("/api/orgs"))
                .and(query_param("page[number]", page))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "data": [{"id": n * 10}, {"id": n * 10 + 1}],
                    "links": {"next": next}
                }))),
        )
        .await;
    }
    let c = client(&format!("{}/api", server.uri()));
    let items: Vec<Item> = paginate(
        &c,
        Request::get("/orgs").query("page[number]", 1),
        Pagination::json_api(),
    )
    .try_collect()
    .await
    .unwrap();
    assert_eq!(ids(&items), [10, 11, 20, 21, 30, 31]);
    server.verify().await;
}

#[tokio::test]
async fn cursor_from_last_item() {
    let server = MockServer::start().await;
    let pages = [
        (None, json!([{"id": 1}, {"id": 2}])),
        (Some("2"), json!([{"id": 3}])),
        (Some("3"), json!([{"id": 4}])),
        (Some("4"), json!([])),
    ];
    for (after, body) in pages {
        let m = Mock::given(method("GET")).and(path("/devices"));
        let m = match after {
            None => m.and(query_param_is_missing("after")),
            Some(a) => m.and(query_param("after", a)),
        };
        respond(
            &server,
            m.respond_with(ResponseTemplate::new(200).set_body_json(body)),
        )
        .await;
    }
    let c = client(&server.uri());
    let items: Vec<Item> = paginate(
        &c,
        Request::get("/devices"),
        Pagination::cursor_from_last_item("after", "id"),
    )
    .try_collect()
    .await
    .unwrap();
    assert_eq!(ids(&items), [1, 2, 3, 4]);
    server.verify().await;
}

#[tokio::test]
async fn cursor_from_body() {
    let server = MockServer::start().await;
    let pages = [
        (None, Some("c2")),
        (Some("c2"), Some("c3")),
        (Some("c3"), None),
    ];
    for (i, (cursor, next)) in pages.into_iter().enumerate() {
        let m = Mock::given(method("GET")).and(path("/tickets"));
        let m = match cursor {
            None => m.and(query_param_is_missing("cursor")),
            Some(c) => m.and(query_param("cursor", c)),
        };
        let body = json!({"tickets": [{"id": i}], "meta": {"next_cursor": next}});
        respond(
            &server,
            m.respond_with(ResponseTemplate::new(200).set_body_json(body)),
        )
        .await;
    }
    let c = client(&server.uri());
    let items: Vec<Item> = paginate(
        &c,
        Request::get("/tickets"),
        Pagination::cursor_from_body("cursor", "/meta/next_cursor").items_at("/tickets"),
    )
    .try_collect()
    .await
    .unwrap();
    assert_eq!(ids(&items), [0, 1, 2]);
    server.verify().await;
}

#[tokio::test]
async fn pages_are_fetched_lazily_and_errors_end_the_stream() {
    let server = MockServer::start().await;
    respond(
        &server,
        Mock::given(method("GET"))
            .and(query_param("page", "1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}, {"id": 2}]))),
    )
    .await;
    Mock::given(method("GET"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(403).set_body_string("nope"))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let mut s = Box::pin(paginate::<Item>(
        &c,
        Request::get("/x"),
        Pagination::page_number("page", "size", 2),
    ));
    assert_eq!(s.next().await.unwrap().unwrap(), Item { id: 1 });
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_eq!(s.next().await.unwrap().unwrap(), Item { id: 2 });
    assert!(matches!(s.next().await, Some(Err(HttpError::Forbidden(_)))));
    assert!(s.next().await.is_none());
    server.verify().await;
}

#[tokio::test]
async fn non_array_items_are_malformed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": 3})))
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let r: Result<Vec<Item>, _> = paginate(&c, Request::get("/x"), Pagination::odata())
        .try_collect()
        .await;
    assert!(matches!(r, Err(HttpError::MalformedResponse(_))));
}
