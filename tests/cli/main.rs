//! End-to-end tests of the `lexbot` binary: the terminal chat survives a kill -9, two
//! terminals on one database find each other, practise through the relay and get their
//! reminders, the config commands report what they should, the matcher exports a wave,
//! and a missing privacy key is warned about.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn lexbot(db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lexbot"));
    command
        .env("LEXBOT_DATABASE__URL", format!("sqlite://{}", db.display()))
        .env("LANG", "en_US.UTF-8")
        .env_remove("RUST_LOG");
    command
}

/// What a finished `lexbot` command printed, as text.
struct Ran {
    success: bool,
    stdout: String,
    stderr: String,
}

fn run(command: &mut Command) -> Ran {
    let output = command.output().expect("lexbot runs");
    Ran {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A running `lexbot chat` whose stdout is read line by line on a thread.
struct Chat {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: String,
    /// Everything printed since the last line typed: the buttons now on screen.
    since_typed: String,
}

impl Chat {
    fn start(db: &Path) -> Self {
        Self::spawn(lexbot(db).arg("chat"))
    }

    fn spawn(command: &mut Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("lexbot starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: String::new(),
            since_typed: String::new(),
        }
    }

    fn send(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().expect("piped stdin");
        writeln!(stdin, "{line}").expect("chat reads its input");
        stdin.flush().expect("flushed");
        self.since_typed.clear();
    }

    /// Takes the next printed line, waiting until `deadline`; false if none came.
    fn receive(&mut self, deadline: std::time::Instant) -> bool {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let Ok(line) = self.lines.recv_timeout(left) else {
            return false;
        };
        for text in [&mut self.seen, &mut self.since_typed] {
            text.push_str(&line);
            text.push('\n');
        }
        true
    }

    /// Waits until the output so far contains `text`, then forgets what was seen.
    fn expect(&mut self, text: &str) {
        self.expect_within(text, Duration::from_secs(20));
    }

    /// Like [`Chat::expect`], waiting at most `limit` in all; returns what was seen.
    fn expect_within(&mut self, text: &str, limit: Duration) -> String {
        let deadline = std::time::Instant::now() + limit;
        while !self.seen.contains(text) {
            if !self.receive(deadline) {
                panic!("waited for {text:?}; the chat printed:\n{}", self.seen);
            }
        }
        std::mem::take(&mut self.seen)
    }

    /// Waits for a button whose label contains `label` among those printed since the
    /// last line typed, types its number (the newest such button's), then waits for
    /// `then`.
    fn press(&mut self, label: &str, then: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let number = loop {
            let shown = self.since_typed.lines().rev().find_map(|line| {
                let (number, text) = line.trim_start().split_once(") ")?;
                text.contains(label).then(|| number.parse::<u32>().ok())?
            });
            if let Some(number) = shown {
                break number;
            }
            if !self.receive(deadline) {
                panic!(
                    "no button {label:?}; the chat printed:\n{}",
                    self.since_typed
                );
            }
        };
        self.send(&number.to_string());
        self.expect_within(then, Duration::from_secs(60));
    }

    /// Sends `line` and waits for `then`.
    fn say(&mut self, line: &str, then: &str) {
        self.send(line);
        self.expect_within(then, Duration::from_secs(60));
    }

    fn kill(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reaped");
    }
}

#[test]
fn the_terminal_chat_resumes_after_being_killed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lexbot.db");

    let mut chat = Chat::start(&db);
    chat.expect("Send /start");
    chat.send("/start");
    chat.expect("1) English");
    chat.send("1");
    chat.expect("2) [ ] Spanish");
    chat.send("2");
    chat.expect("2) [x] Spanish");
    chat.send("11");
    chat.expect("Step 3 of 9");
    chat.send("German");
    chat.expect("What is your level in German?");
    chat.kill();

    let mut chat = Chat::start(&db);
    chat.expect("What is your level in German?");
    chat.send("3");
    chat.expect("Step 5 of 9");
    chat.send("/quit");
    assert!(chat.child.wait().expect("exits").success());

    let mut chat = Chat::start(&db);
    chat.expect("Step 5 of 9");
    chat.send("/export");
    chat.expect("\"level\": \"B1\"");
    chat.kill();
}

/// A terminal of `name` on `db`, with the matcher, scheduler and dispatcher quick.
fn quick_chat(db: &Path, config: &Path, name: &str) -> Chat {
    Chat::spawn(
        lexbot(db)
            .arg("--config")
            .arg(config)
            .args(["chat", "--as", name]),
    )
}

/// Onboards in English: native `native`, learning `learning` at `level`, in `city`.
fn onboard(chat: &mut Chat, native: &str, learning: &str, level: &str, city: &str) {
    chat.send("/start");
    chat.press("English", "Step 2 of 9");
    chat.press(native, &format!("[x] {native}"));
    chat.press("Done", "Step 3 of 9");
    chat.say(learning, &format!("What is your level in {learning}?"));
    chat.press(level, "Step 5 of 9");
    chat.press("Music", "[x] Culture · Music");
    chat.press("Done", "Step 6 of 9");
    chat.say(city, "Step 7 of 9");
    chat.press("Weekday evenings", "[x] Weekday evenings");
    chat.press("Done", "Step 8 of 9");
    chat.press("Text chat", "[x] ✍️ Text chat");
    chat.press("Done", "Step 9 of 9");
    chat.say("I like long walks.", "Almost done");
    chat.press("Confirm", "All set!");
}

#[test]
fn two_terminals_find_each_other_practise_and_get_a_reminder_when_due() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lexbot.db");
    let config = dir.path().join("quick.toml");
    // A wave as soon as two wait, timers and other processes' messages looked for
    // often, and no quiet hours, so the reminder is due whenever the test runs.
    std::fs::write(
        &config,
        "[matching]\nwave_interval_seconds = 1\nwave_min_waiting = 2\n\
         [scheduler]\npoll_interval_ms = 200\n\
         [outbox]\nclaim_interval_ms = 200\n\
         [training]\nquiet_hours = \"\"\n",
    )
    .expect("written");
    let mut ana = quick_chat(&db, &config, "ana");
    // Ana's terminal greets first; the two processes share one new SQLite file.
    ana.expect("Send /start");
    let mut ben = quick_chat(&db, &config, "ben");
    onboard(&mut ana, "Spanish", "English", "B2", "Madrid");
    // Reykjavik keeps UTC all year: the reminder's local time is the UTC time.
    ben.expect("Send /start");
    onboard(&mut ben, "English", "Spanish", "B1", "Reykjavik");

    ana.say("/find", "You're in the queue");
    ben.say("/find", "You're in the queue");
    ana.press("Accept", "You accepted");
    // Ana's answer reaches Ben as a message of its own (which leaves no buttons on
    // screen) and the proposal is asked again after it: press the one asked last.
    ben.expect_within("Your proposed partner accepted!", Duration::from_secs(60));
    ben.expect("Would you like to practise together?");
    ben.press("Accept", "You're practice partners now!");
    ana.expect_within("You're practice partners now!", Duration::from_secs(60));

    // The relay, both ways, each printed in the other's terminal only.
    ana.send("¿Practicamos el martes?");
    ben.expect_within("Partner: ¿Practicamos el martes?", Duration::from_secs(60));
    ben.send("Sure, Tuesday at 7!");
    let seen = ana.expect_within("Partner: Sure, Tuesday at 7!", Duration::from_secs(60));
    assert!(!seen.contains("Partner: ¿Practicamos"), "{seen}");

    // A reminder for the next whole minute (the one after, if this one is nearly over).
    ben.say("/reminders", "Add a reminder");
    let now = chrono::Utc::now();
    let ahead = if chrono::Timelike::second(&now) < 45 {
        1
    } else {
        2
    };
    let at = (now + chrono::Duration::minutes(ahead))
        .format("%H:%M")
        .to_string();
    ben.press("Add a reminder", "At what time should I remind you?");
    ben.say(&at, &format!("On which days at {at}?"));
    ben.press("Done", &format!("Reminder set for {at}"));
    ben.expect_within("Time to practise!", Duration::from_secs(150));

    ana.send("/quit");
    ben.send("/quit");
    assert!(ana.child.wait().expect("exits").success());
    assert!(ben.child.wait().expect("exits").success());
}

#[test]
fn config_default_prints_the_defaults() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ran = run(lexbot(&dir.path().join("x.db")).args(["config", "default"]));
    assert!(ran.success);
    let text = &ran.stdout;
    assert!(
        text.contains("[database]") && text.contains("max_interests = 5"),
        "{text}"
    );
}

#[test]
fn a_bad_config_names_the_key_and_hides_secrets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[limits]\nbio_max_chars = 5\n").expect("written");
    let ran = run(lexbot(&dir.path().join("x.db")).args([
        "--config",
        file.to_str().expect("utf-8 path"),
        "config",
        "show",
    ]));
    assert!(!ran.success);
    let error = &ran.stderr;
    assert!(
        error.contains("limits.bio_max_chars: must be between 20 and 2000, got 5"),
        "{error}"
    );

    let ran = run(lexbot(&dir.path().join("x.db"))
        .env("LEXBOT_DATABASE__URL", "postgres://lex@db.invalid/lexbot")
        .env("LEXBOT_DATABASE_PASSWORD", "hunter2")
        .args(["config", "show"]));
    assert!(ran.success);
    let shown = &ran.stdout;
    assert!(
        shown.contains("postgres://lex@db.invalid/lexbot") && !shown.contains("hunter2"),
        "{shown}"
    );
}

#[test]
fn content_check_accepts_the_shipped_pack_and_names_bad_fields() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ran = run(lexbot(&dir.path().join("x.db")).args(["content", "check"]));
    assert!(ran.success, "{}", ran.stderr);

    let pack = dir.path().join("content");
    std::fs::create_dir(&pack).expect("dir");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/content");
    for file in ["languages.toml", "interests.toml", "cities.toml"] {
        std::fs::copy(shipped.join(file), pack.join(file)).expect("copied");
    }
    let cities = std::fs::read_to_string(pack.join("cities.toml")).expect("read");
    std::fs::write(
        pack.join("cities.toml"),
        format!("{cities}\n[[city]]\nnames = [\"Atlantis\"]\ntimezone = \"Ocean/Atlantis\"\n"),
    )
    .expect("written");
    let ran = run(lexbot(&dir.path().join("x.db"))
        .env("LEXBOT_CONTENT__DIR", &pack)
        .args(["content", "check"]));
    assert!(!ran.success);
    let error = &ran.stderr;
    assert!(
        error.contains("cities.toml")
            && error.contains("timezone")
            && error.contains("Ocean/Atlantis"),
        "{error}"
    );
}

#[test]
fn run_refuses_to_start_with_nothing_to_run_or_a_webhook_without_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lexbot.db");
    // Without a token, the scheduler or the embedded matcher alone is still work.
    let ran = run(lexbot(&db)
        .arg("run")
        .env_remove("TELEGRAM_BOT_TOKEN")
        .env("LEXBOT_SCHEDULER__ENABLED", "false")
        .env("LEXBOT_MATCHING__EMBEDDED", "false"));
    assert!(!ran.success);
    assert!(ran.stderr.contains("TELEGRAM_BOT_TOKEN"), "{}", ran.stderr);

    let ran = run(lexbot(&db)
        .arg("run")
        .env("TELEGRAM_BOT_TOKEN", "123:SECRET-TOKEN-VALUE")
        .env("TELEGRAM_API_URL", "http://127.0.0.1:9")
        .env("LEXBOT_TELEGRAM__MODE", "webhook")
        .env_remove("TELEGRAM_WEBHOOK_SECRET"));
    assert!(!ran.success);
    assert!(
        ran.stderr.contains("TELEGRAM_WEBHOOK_SECRET"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("SECRET-TOKEN-VALUE") && !ran.stdout.contains("SECRET-TOKEN-VALUE"),
        "the token must never be printed"
    );
}

#[test]
fn matcher_export_wave_writes_the_graph_of_the_queue() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lexbot.db");
    let out = dir.path().join("wave");
    let ran = run(lexbot(&db).args(["matcher", "export-wave"]).arg(&out));
    assert!(ran.success, "{}", ran.stderr);
    assert!(ran.stdout.contains("0 waiting"), "{}", ran.stdout);
    let graph = std::fs::read_to_string(out.join("graph.txt")).expect("graph.txt");
    assert_eq!(graph, "0 0\n");
    let matching = std::fs::read_to_string(out.join("matching.txt")).expect("matching.txt");
    assert_eq!(matching, "");
}

#[test]
fn a_missing_privacy_key_is_warned_about_and_a_short_one_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lexbot.db");
    let ran = run(lexbot(&db).arg("migrate").env_remove("LEXBOT_PRIVACY_KEY"));
    assert!(ran.success, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("LEXBOT_PRIVACY_KEY is not set"),
        "{}",
        ran.stderr
    );

    let ran = run(lexbot(&db)
        .arg("migrate")
        .env("LEXBOT_PRIVACY_KEY", "SHORT-PRIVACY-VALUE"));
    assert!(!ran.success);
    assert!(
        ran.stderr.contains("LEXBOT_PRIVACY_KEY") && ran.stderr.contains("at least 32"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("SHORT-PRIVACY-VALUE") && !ran.stdout.contains("SHORT-PRIVACY-VALUE"),
        "the key must never be printed"
    );

    let ran = run(lexbot(&db).arg("migrate").env(
        "LEXBOT_PRIVACY_KEY",
        "a-long-enough-privacy-key-for-the-test",
    ));
    assert!(ran.success, "{}", ran.stderr);
    assert!(!ran.stderr.contains("LEXBOT_PRIVACY_KEY"), "{}", ran.stderr);
}

/// A running `lexbot run` whose stderr (its log) is read line by line on a thread.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    log: String,
}

impl Running {
    fn spawn(command: &mut Command) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("lexbot starts");
        let stderr = child.stderr.take().expect("piped stderr");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            log: String::new(),
        }
    }

    /// The first log line containing `needle`.
    fn wait_for(&mut self, needle: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => {
                    self.log.push_str(&line);
                    self.log.push('\n');
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!("no log line with {needle:?}; the log:\n{}", self.log),
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 GET; the status and the body.
fn http_get(addr: &str, path: &str, token: Option<&str>) -> (u16, String) {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr).expect("connects");
    let auth = token
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The listening address from the JSON start-up line.
fn listening_addr(line: &str) -> String {
    let entry: serde_json::Value = serde_json::from_str(line).expect("a JSON log line");
    entry["fields"]["addr"]
        .as_str()
        .expect("an addr field")
        .to_owned()
}

#[test]
fn run_serves_health_metrics_and_the_admin_api_only_with_a_token_and_logs_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lexbot.db");
    let base = || {
        let mut command = lexbot(&db);
        command
            .arg("run")
            .env_remove("TELEGRAM_BOT_TOKEN")
            .env("LEXBOT_HTTP__LISTEN", "127.0.0.1:0")
            .env("LEXBOT_LOG_FORMAT", "json");
        command
    };

    // No token: no API, and the log says so; health and metrics are served.
    let mut without = Running::spawn(base().env_remove("LEXBOT_ADMIN_TOKEN"));
    let warning = without.wait_for("LEXBOT_ADMIN_TOKEN is not set");
    let warning: serde_json::Value = serde_json::from_str(&warning).expect("JSON log line");
    assert_eq!(warning["level"], "WARN", "{warning}");
    let addr = listening_addr(&without.wait_for("HTTP server listening"));
    assert_eq!(http_get(&addr, "/healthz", None).0, 200);
    let (status, ready) = http_get(&addr, "/readyz", None);
    assert_eq!(status, 200, "{ready}");
    let (status, metrics) = http_get(&addr, "/metrics", None);
    assert_eq!(status, 200);
    assert!(metrics.contains("lexbot_people"), "{metrics}");
    assert_eq!(http_get(&addr, "/api/v1/stats", Some("anything")).0, 404);
    drop(without);

    // With a token: the API answers it, and refuses anything else.
    let token = "a-long-random-admin-token-for-the-test";
    let mut with = Running::spawn(base().env("LEXBOT_ADMIN_TOKEN", token));
    with.wait_for("admin API served");
    let addr = listening_addr(&with.wait_for("HTTP server listening"));
    let (status, stats) = http_get(&addr, "/api/v1/stats", Some(token));
    assert_eq!(status, 200, "{stats}");
    assert!(stats.contains("queue_length"), "{stats}");
    assert_eq!(http_get(&addr, "/api/v1/stats", Some("wrong")).0, 401);
    assert_eq!(http_get(&addr, "/api/v1/stats", None).0, 401);
    assert!(!with.log.contains(token), "the token must never be logged");

    // An unknown log format is refused, naming the variable.
    let ran = run(base().env("LEXBOT_LOG_FORMAT", "xml"));
    assert!(!ran.success);
    assert!(ran.stderr.contains("LEXBOT_LOG_FORMAT"), "{}", ran.stderr);
}
