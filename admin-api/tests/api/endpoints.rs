//! Every endpoint over HTTP on both stores: answers with a token, 401 without one, and
//! the JSON error for malformed input, unknown ids and routes.

use std::sync::Arc;

use bot_core::storage::Store;
use lexbot_test_kit::on_both_backends;
use reqwest::Method;

use crate::support::{App, TestDb, assert_error, json_of, waiting_person};

/// Every admin endpoint, as (method, path) with example ids filled in.
pub const ENDPOINTS: &[(&str, &str)] = &[
    ("GET", "/api/v1/stats"),
    ("GET", "/api/v1/outbox"),
    ("GET", "/api/v1/outbox/dead"),
    ("GET", "/api/v1/matcher/queue"),
    ("GET", "/api/v1/matcher/waves"),
    ("POST", "/api/v1/matcher/run"),
    ("GET", "/api/v1/reports"),
    ("GET", "/api/v1/openapi.json"),
];

pub fn method(name: &str) -> Method {
    Method::from_bytes(name.as_bytes()).expect("method")
}

on_both_backends!(
    health_and_readiness_answer_without_a_token,
    every_endpoint_answers_with_the_token,
    a_missing_or_wrong_token_is_refused_everywhere,
    malformed_queries_unknown_routes_and_methods_get_the_json_error,
    stats_count_people_waiting_for_a_partner,
    without_a_token_configured_the_api_is_not_served,
);

async fn health_and_readiness_answer_without_a_token(_store: Arc<dyn Store>, db: &TestDb) {
    let app = App::start(db).await;
    let response = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(response.status(), 200);
    let (status, body) = json_of(
        app.client
            .get(app.url("/readyz"))
            .send()
            .await
            .expect("readyz"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");
    let names: Vec<&str> = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|check| check["name"].as_str())
        .collect();
    assert!(names.contains(&"database"), "{body}");
    // The database going away makes the application unready, with the reason.
    db.close().await;
    app.conversations().store().close().await;
    let (status, body) = json_of(
        app.client
            .get(app.url("/readyz"))
            .send()
            .await
            .expect("readyz"),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not_ready");
    let database = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|check| check["name"] == "database")
        .expect("database check")
        .clone();
    assert_eq!(database["ok"], false);
    assert!(database["reason"].is_string(), "{body}");
    app.kill();
}

async fn every_endpoint_answers_with_the_token(_store: Arc<dyn Store>, db: &TestDb) {
    let app = App::start(db).await;
    for (name, path) in ENDPOINTS {
        let response = app
            .authed(method(name), path)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let (_, body) = json_of(response).await;
        assert!(
            (200..300).contains(&status),
            "{name} {path} answered {status}: {body}"
        );
        assert!(body.is_object(), "{name} {path}: {body}");
    }
    let (_, stats) = app.get_json("/api/v1/stats").await;
    for key in [
        "people",
        "queue_length",
        "outbox",
        "waves_last_day",
        "generated_at",
    ] {
        assert!(stats.get(key).is_some(), "stats without {key}: {stats}");
    }
    app.stop().await;
}

async fn a_missing_or_wrong_token_is_refused_everywhere(_store: Arc<dyn Store>, db: &TestDb) {
    let app = App::start(db).await;
    let mut paths: Vec<(&str, &str)> = ENDPOINTS.to_vec();
    paths.push(("GET", "/api/v1/no-such-endpoint"));
    for (name, path) in paths {
        for token in [
            None,
            Some("wrong"),
            Some(""),
            Some("test-admin-token-012345678"),
        ] {
            let mut request = app.client.request(method(name), app.url(path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.expect("request");
            assert_eq!(
                response
                    .headers()
                    .get("www-authenticate")
                    .map(|v| v.as_bytes()),
                Some(&b"Bearer"[..]),
                "{name} {path}"
            );
            let (status, body) = json_of(response).await;
            assert_eq!(status, 401, "{name} {path} with {token:?}: {body}");
            assert_error(&body, "unauthorized");
        }
        // Another scheme with the right token is no bearer token.
        let response = app
            .client
            .request(method(name), app.url(path))
            .header("authorization", format!("Basic {}", crate::support::TOKEN))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 401, "{name} {path}");
    }
    app.stop().await;
}

async fn malformed_queries_unknown_routes_and_methods_get_the_json_error(
    _store: Arc<dyn Store>,
    db: &TestDb,
) {
    let app = App::start(db).await;
    for path in [
        "/api/v1/outbox/dead?limit=abc",
        "/api/v1/outbox/dead?limit=-1",
        "/api/v1/reports?limit=99999999999999999999",
        "/api/v1/matcher/queue?limit=%FF",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_error(&body, "invalid_query");
    }
    for path in ["/api/v1/reports?limit=0", "/api/v1/matcher/waves?limit=501"] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_error(&body, "invalid_limit");
    }
    let (status, body) = app.get_json("/api/v1/no-such-endpoint").await;
    assert_eq!(status, 404, "{body}");
    assert_error(&body, "not_found");
    let response = app
        .authed(Method::DELETE, "/api/v1/stats")
        .send()
        .await
        .expect("request");
    let (status, body) = json_of(response).await;
    assert_eq!(status, 405, "{body}");
    assert_error(&body, "method_not_allowed");
    app.stop().await;
}

async fn stats_count_people_waiting_for_a_partner(store: Arc<dyn Store>, db: &TestDb) {
    let app = App::start(db).await;
    let (_, before) = app.get_json("/api/v1/stats").await;
    assert_eq!(before["people"]["waiting"], 0, "{before}");
    let mut people = Vec::new();
    for (native, learns) in [
        ("en", "es"),
        ("es", "en"),
        ("de", "fr"),
        ("fr", "de"),
        ("ja", "ko"),
    ] {
        people.push(waiting_person(store.as_ref(), native, learns).await);
    }
    let (_, stats) = app.get_json("/api/v1/stats").await;
    assert_eq!(stats["people"]["waiting"], 5, "{stats}");
    assert_eq!(stats["queue_length"], 5, "{stats}");
    let (_, queue) = app.get_json("/api/v1/matcher/queue?limit=2").await;
    assert_eq!(queue["total"], 5, "{queue}");
    let items = queue["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{queue}");
    assert!(
        people.iter().any(|p| items[0]["person"] == p.to_string()),
        "{queue}"
    );
    assert_eq!(
        items[0]["native"].as_array().map(Vec::len),
        Some(1),
        "{queue}"
    );

    // No worker of this process leads: the request takes the lead and runs the wave.
    let (status, ran) = app
        .post_json("/api/v1/matcher/run", serde_json::json!({}))
        .await;
    assert_eq!(status, 200, "{ran}");
    assert_eq!(ran["status"], "ran");
    assert_eq!(ran["pairs"], 2, "{ran}");
    let (_, stats) = app.get_json("/api/v1/stats").await;
    assert_eq!(stats["people"]["proposed"], 4, "{stats}");
    assert_eq!(stats["people"]["waiting"], 1, "{stats}");
    assert_eq!(stats["waves_last_day"]["waves"], 1, "{stats}");
    assert_eq!(stats["waves_last_day"]["pairs"], 2, "{stats}");
    let (_, waves) = app.get_json("/api/v1/matcher/waves").await;
    assert_eq!(waves["items"][0]["pairs"], 2, "{waves}");
    app.stop().await;
}

async fn without_a_token_configured_the_api_is_not_served(_store: Arc<dyn Store>, db: &TestDb) {
    let app = App::start_with_token(db, None).await;
    for (name, path) in ENDPOINTS {
        let response = app
            .client
            .request(method(name), app.url(path))
            .bearer_auth(crate::support::TOKEN)
            .send()
            .await
            .expect("request");
        assert_eq!(
            response.status(),
            404,
            "{name} {path} is served without a token"
        );
    }
    let response = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(response.status(), 200);
    app.stop().await;
}
