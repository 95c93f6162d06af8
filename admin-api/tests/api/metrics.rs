//! `/metrics`: Prometheus text that a parser accepts, whose counters move with traffic.

use std::collections::HashMap;
use std::sync::Arc;

use bot_core::storage::Store;
use lexbot_test_kit::on_both_backends;

use crate::support::{App, TestDb};

on_both_backends!(metrics_parse_and_move_with_traffic);

/// Parses the text exposition format strictly enough to catch a broken render: every
/// line is a `# HELP`/`# TYPE` comment or `name{label="value",...} number`, every
/// sample's family has a TYPE. Returns each series' value.
fn parse(text: &str) -> HashMap<String, f64> {
    let mut types: HashMap<String, String> = HashMap::new();
    let mut samples = HashMap::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let (kind, name, value) = (parts.next(), parts.next(), parts.next());
            match (kind, name, value) {
                (Some("TYPE"), Some(name), Some(kind)) => {
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                        "bad TYPE line: {line}"
                    );
                    types.insert(name.to_owned(), kind.to_owned());
                }
                (Some("HELP"), Some(_), _) => {}
                _ => panic!("bad comment line: {line}"),
            }
            continue;
        }
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("bad sample: {line}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            other => other
                .parse()
                .unwrap_or_else(|_| panic!("bad value in: {line}")),
        };
        let name = series.split('{').next().unwrap_or_default();
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name in: {line}"
        );
        if let Some(labels) = series
            .strip_prefix(name)
            .filter(|labels| !labels.is_empty())
        {
            assert!(
                labels.starts_with('{') && labels.ends_with('}'),
                "bad labels in: {line}"
            );
            for pair in labels[1..labels.len() - 1]
                .split(',')
                .filter(|p| !p.is_empty())
            {
                let (key, quoted) = pair
                    .split_once('=')
                    .unwrap_or_else(|| panic!("bad label in: {line}"));
                assert!(
                    !key.is_empty() && quoted.starts_with('"') && quoted.ends_with('"'),
                    "bad label in: {line}"
                );
            }
        }
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| {
                name.strip_suffix(suffix)
                    .filter(|base| types.contains_key(*base))
            })
            .unwrap_or(name);
        assert!(types.contains_key(family), "sample without a TYPE: {line}");
        samples.insert(series.to_owned(), value);
    }
    samples
}

async fn scrape(app: &App) -> HashMap<String, f64> {
    let response = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(response.status(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    parse(&response.text().await.expect("body"))
}

fn value(samples: &HashMap<String, f64>, series: &str) -> f64 {
    samples.get(series).copied().unwrap_or(0.0)
}

async fn metrics_parse_and_move_with_traffic(_store: Arc<dyn Store>, db: &TestDb) {
    let app = App::start(db).await;
    let before = scrape(&app).await;
    let stepped = "lexbot_updates_stepped_total{platform=\"local\"}";
    let queued = "lexbot_outbox_queued_total{platform=\"local\"}";
    let steps = "lexbot_step_duration_seconds_count";
    // Each test of this binary shares one recorder: compare, never expect absolutes.
    let name = format!("metrics-{}", uuid::Uuid::new_v4().simple());
    for (i, text) in ["/start", "/help", "hello"].into_iter().enumerate() {
        app.say(&name, 1_000 + i as u64, text).await;
    }
    let after = scrape(&app).await;
    assert!(
        value(&after, stepped) >= value(&before, stepped) + 3.0,
        "{after:?}"
    );
    assert!(value(&after, queued) > value(&before, queued), "{after:?}");
    assert!(
        value(&after, steps) >= value(&before, steps) + 3.0,
        "{after:?}"
    );
    assert!(
        after.contains_key("lexbot_commit_batch_size_bucket{le=\"+Inf\"}"),
        "no commit batch histogram: {after:?}"
    );
    for gauge in [
        "lexbot_people{state=\"waiting\"}",
        "lexbot_outbox_messages{state=\"pending\"}",
    ] {
        assert!(after.contains_key(gauge), "no {gauge}");
    }
    app.stop().await;
}
