//! The OpenAPI document: version 3.1, generated with every endpoint, and every
//! documented operation served.

use std::collections::BTreeSet;

use crate::endpoints::{ENDPOINTS, method};
use crate::support::{App, Backend, TestDb};

/// Operations of the document as ("GET", "/api/v1/stats").
fn operations(document: &serde_json::Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (verb, _) in item.as_object().expect("path item") {
            if ["get", "post", "put", "patch", "delete"].contains(&verb.as_str()) {
                found.insert((verb.to_uppercase(), path.clone()));
            }
        }
    }
    found
}

#[test]
fn the_document_lists_every_endpoint_and_nothing_else() {
    let document = serde_json::to_value(admin_api::v1::openapi()).expect("serialises");
    let version = document["openapi"].as_str().expect("version");
    assert!(version.starts_with("3.1"), "OpenAPI {version}");
    let documented = operations(&document);
    let expected: BTreeSet<(String, String)> = ENDPOINTS
        .iter()
        .filter(|(_, path)| !path.ends_with("/openapi.json"))
        .map(|(verb, path)| ((*verb).to_owned(), (*path).to_owned()))
        .collect();
    assert_eq!(documented, expected, "documented vs known endpoints");
    // Each operation says what it answers, errors included, and needs the token.
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (verb, operation) in item.as_object().expect("item") {
            let responses = operation["responses"].as_object().expect("responses");
            assert!(responses.contains_key("401"), "{verb} {path} without 401");
            assert!(
                responses.keys().any(|code| code.starts_with('2')),
                "{verb} {path} without a success"
            );
        }
    }
    assert_eq!(document["security"][0]["bearer"], serde_json::json!([]));
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(document["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_document_is_the_generated_one_and_every_operation_is_routed() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = App::start(&db).await;
    let (status, served) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let generated = serde_json::to_value(admin_api::v1::openapi()).expect("serialises");
    assert_eq!(served, generated);
    for (verb, path) in operations(&served) {
        // Path parameters get an id of the right shape that names nobody.
        let concrete = path
            .replace("{id}", "00000000-0000-4000-8000-000000000000")
            .replace("{report_id}", "999999")
            .replace("{broadcast_id}", "999999");
        let response = app
            .authed(method(&verb), &concrete)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        assert!(
            status != 404 && status != 405 || concrete != path,
            "{verb} {path} is documented but not routed ({status})"
        );
        assert!(status < 500, "{verb} {concrete}: {status}");
    }
    app.stop().await;
}
