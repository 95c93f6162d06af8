//! End-to-end tests of the `lexbot` binary: the terminal chat survives a kill -9, the
//! config commands report what they should, the matcher exports a wave, and a missing
//! privacy key is warned about.

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
}

impl Chat {
    fn start(db: &Path) -> Self {
        let mut child = lexbot(db)
            .arg("chat")
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
        }
    }

    fn send(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().expect("piped stdin");
        writeln!(stdin, "{line}").expect("chat reads its input");
        stdin.flush().expect("flushed");
    }

    /// Waits until the output so far contains `text`, then forgets what was seen.
    fn expect(&mut self, text: &str) {
        while !self.seen.contains(text) {
            match self.lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => {
                    self.seen.push_str(&line);
                    self.seen.push('\n');
                }
                Err(_) => panic!("waited for {text:?}; the chat printed:\n{}", self.seen),
            }
        }
        self.seen.clear();
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
