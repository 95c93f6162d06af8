//! Random requests to every admin endpoint, valid by the schema and not: none may be
//! answered with a 5xx.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::endpoints::ENDPOINTS;
use crate::support::{App, Backend, TOKEN, TestDb};

#[derive(Debug, Clone)]
struct RandomRequest {
    method: &'static str,
    path: String,
    query: String,
    body: Option<(String, Vec<u8>)>,
    authorised: bool,
}

/// A path of the API, perhaps with a mangled id or an extra segment.
fn path() -> impl Strategy<Value = String> {
    let known = proptest::sample::select(ENDPOINTS.iter().map(|(_, p)| *p).collect::<Vec<_>>());
    (
        known,
        prop_oneof![
            3 => Just(String::new()),
            1 => "/[a-z0-9%-]{0,12}",
            1 => "/[0-9]{1,25}",
        ],
    )
        .prop_map(|(path, extra)| format!("{path}{extra}"))
}

fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("limit".to_owned()),
        Just("cursor".to_owned()),
        Just("state".to_owned()),
        "[a-z]{1,6}",
    ];
    let value = prop_oneof![
        (0u64..600).prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[ -~]{0,20}".prop_map(|text| {
            text.bytes()
                .map(|b| format!("%{b:02X}"))
                .collect::<String>()
        }),
        Just("%FF%FE".to_owned()),
    ];
    proptest::collection::vec((key, value), 0..3).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn body() -> impl Strategy<Value = Option<(String, Vec<u8>)>> {
    let json = prop_oneof![
        Just(b"{}".to_vec()),
        Just(b"{\"text\":\"hi\",\"audience\":{}}".to_vec()),
        Just(b"{\"reason\":\"spam\"}".to_vec()),
        Just(b"[1,2,3]".to_vec()),
        Just(b"null".to_vec()),
        Just(b"{\"text\":".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..64),
        "[ -~]{0,40}".prop_map(String::into_bytes),
    ];
    let content_type = prop_oneof![
        3 => Just("application/json".to_owned()),
        1 => Just("text/plain".to_owned()),
        1 => Just("application/json; charset=latin1".to_owned()),
    ];
    proptest::option::of((content_type, json))
}

fn request() -> impl Strategy<Value = RandomRequest> {
    (
        proptest::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH"]),
        path(),
        query(),
        body(),
        proptest::bool::weighted(0.9),
    )
        .prop_map(|(method, path, query, body, authorised)| RandomRequest {
            method,
            path,
            query,
            body,
            authorised,
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_gets_a_server_error() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = App::start(&db).await;
    let client = app.client.clone();
    let base = app.url("");
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = tokio::task::block_in_place(|| {
        runner
            .run(&request(), |request| {
                let url = if request.query.is_empty() {
                    format!("{base}{}", request.path)
                } else {
                    format!("{base}{}?{}", request.path, request.query)
                };
                let method = reqwest::Method::from_bytes(request.method.as_bytes())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let mut builder = client.request(method, &url);
                if request.authorised {
                    builder = builder.bearer_auth(TOKEN);
                }
                if let Some((content_type, body)) = request.body.clone() {
                    builder = builder.header("content-type", content_type).body(body);
                }
                let status = handle
                    .block_on(builder.send())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?
                    .status();
                prop_assert!(
                    status.as_u16() < 500,
                    "{} {url} answered {status}",
                    request.method
                );
                Ok(())
            })
            .map_err(|error| error.to_string())
    });
    app.stop().await;
    if let Err(error) = outcome {
        panic!("{error}");
    }
}
