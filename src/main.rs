//! The `lexbot` command: CLI wiring only. What it runs lives in bot-core, telegram and
//! matcher.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use bot_core::app::{Adapter, Application, Service};
use bot_core::config::{ADMIN_TOKEN_VAR, DEFAULT_TOML, Secrets, Settings};
use bot_core::{app, terminal};
use clap::{Parser, Subcommand};
use matcher::worker::{EmbeddedMatcher, MatcherWorker, WorkerConfig};

/// Every request allocates a great deal (JSON in and out, SQL rows): glibc's allocator
/// took a quarter of the CPU time under load (telegram/benches/load.rs), mimalloc a tenth.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "lexbot",
    version,
    about = "A chat-first platform for language-exchange communities"
)]
struct Cli {
    /// A TOML file overriding config/default.toml (LEXBOT_* variables override both).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Talk to the bot in this terminal as a local person (no token, no network), with
    /// the scheduler and (with `matching.embedded`) the matcher running: reminders,
    /// lessons, proposals and a partner's messages appear as they fall due.
    Chat {
        /// Who you are to the bot; each name is a separate person, so terminals with
        /// different names on one database can find each other and practise.
        #[arg(
            long = "as",
            alias = "user",
            value_name = "NAME",
            default_value = "local"
        )]
        name: String,
    },
    /// Show the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Check the content pack (languages, interests, cities).
    Content {
        #[command(subcommand)]
        command: ContentCommand,
    },
    /// Run the partner matcher worker in this process (one leader at a time across
    /// all processes), until Ctrl-C or SIGTERM; or one of its tools.
    Matcher {
        #[command(subcommand)]
        command: Option<MatcherCommand>,
    },
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Run the bot: the Telegram adapter (when TELEGRAM_BOT_TOKEN is set), the outbox
    /// dispatcher, the timer scheduler and (with `matching.embedded`) the matcher
    /// worker, until Ctrl-C or SIGTERM.
    Run,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the built-in defaults (config/default.toml).
    Default,
    /// Print the effective configuration (defaults + file + environment; no secrets).
    Show,
}

#[derive(Subcommand)]
enum MatcherCommand {
    /// Compute a wave over the current queue without proposing anything, and write
    /// DIR/graph.txt and DIR/matching.txt as `bench --export` does.
    ExportWave {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Generate a synthetic waiting pool, run one matching wave over it and print what
    /// it cost and found; with --export, also write the candidate graph and the
    /// matching for an external solver to check.
    Bench {
        /// People in the synthetic pool.
        #[arg(long, default_value_t = 100_000)]
        people: usize,
        /// The pool's seed: the same seed gives the same pool and the same wave.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write DIR/graph.txt (`n m`, then `u v w` per edge) and DIR/matching.txt
        /// (`u v` per pair).
        #[arg(long, value_name = "DIR")]
        export: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ContentCommand {
    /// Validate the content pack; errors name the file, the entry and the field.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lexbot: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // `config default` needs no settings, so a broken config file never hides the defaults.
    let load = || Settings::load(cli.config.as_deref());
    match cli.command {
        Command::Config {
            command: ConfigCommand::Default,
        } => {
            print!("{DEFAULT_TOML}");
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::Show,
        } => {
            let settings = load()?;
            print!("{}", settings.to_toml());
            Ok(())
        }
        Command::Content {
            command: ContentCommand::Check,
        } => {
            let settings = load()?;
            let context = app::load_context(&settings)?;
            let content = &context.content;
            let placements = content
                .exams()
                .iter()
                .filter(|exam| exam.kind == bot_core::content::ExamKind::Placement)
                .count();
            println!(
                "content ok: {} languages, {} interests, {} exams ({placements} placement), {} courses",
                content.languages().len(),
                content.interests().count(),
                content.exams().len(),
                content.courses().len()
            );
            Ok(())
        }
        Command::Matcher { command: None } => {
            let settings = load()?;
            init_tracing(&settings.log.filter)?;
            let config = WorkerConfig::from_settings(&settings)?;
            runtime()?.block_on(async {
                let conversations = app::build(&settings, &Secrets::from_env()).await?;
                let worker = MatcherWorker::with_config(conversations.clone(), config).spawn();
                tracing::info!("matcher worker is running");
                shutdown_signal().await;
                tracing::info!("shutting down");
                worker.shutdown().await;
                conversations.store().close().await;
                Ok(())
            })
        }
        Command::Matcher {
            command: Some(MatcherCommand::ExportWave { dir }),
        } => {
            let settings = load()?;
            init_tracing("warn")?;
            let config = WorkerConfig::from_settings(&settings)?;
            runtime()?.block_on(async {
                let conversations = app::build(&settings, &Secrets::from_env()).await?;
                let exported = MatcherWorker::with_config(conversations.clone(), config)
                    .export_wave(&dir, chrono::Utc::now())
                    .await;
                conversations.store().close().await;
                let wave = exported?;
                println!(
                    "wave over the queue: {} waiting, {} eligible, {} candidate edges, {} pairs, total weight {}",
                    wave.waiting,
                    wave.eligible,
                    wave.edges,
                    wave.pairs,
                    wave.total_weight
                );
                println!(
                    "exported {} and {}",
                    dir.join(matcher::export::GRAPH_FILE).display(),
                    dir.join(matcher::export::MATCHING_FILE).display()
                );
                Ok(())
            })
        }
        Command::Matcher {
            command:
                Some(MatcherCommand::Bench {
                    people,
                    seed,
                    export,
                }),
        } => {
            // Interests come from the built-in pack, so a seed means the same pool
            // wherever it runs.
            let interests: Vec<_> = bot_core::content::Content::embedded()?
                .interests()
                .map(|interest| interest.id.clone())
                .collect();
            let now = matcher::synthetic::reference_now();
            println!("synthetic wave: {people} people, seed {seed}, now {now}");
            let (wave, figures) = matcher::report::synthetic_wave(
                people,
                seed,
                now,
                &interests,
                &matcher::WaveConfig::default(),
            )?;
            print!("{}", figures.describe());
            if let Some(dir) = export {
                matcher::export::write_export(
                    &dir,
                    wave.graph.vertex_count,
                    &wave.graph.edges,
                    &wave.matching,
                )
                .with_context(|| format!("writing the export to {}", dir.display()))?;
                println!(
                    "exported {} and {}",
                    dir.join(matcher::export::GRAPH_FILE).display(),
                    dir.join(matcher::export::MATCHING_FILE).display()
                );
            }
            Ok(())
        }
        Command::Migrate => {
            let settings = load()?;
            init_tracing(&settings.log.filter)?;
            runtime()?.block_on(async {
                let conversations = app::build(&settings, &Secrets::from_env()).await?;
                conversations.store().close().await;
                println!("database is up to date");
                Ok(())
            })
        }
        Command::Run => {
            let settings = load()?;
            init_tracing(&settings.log.filter)?;
            let secrets = Secrets::from_env();
            let mut adapters: Vec<Box<dyn Adapter>> = Vec::new();
            if let Some(options) = telegram::TelegramOptions::from_settings(
                &settings,
                &telegram::TelegramEnv::from_env(),
            )? {
                adapters.push(Box::new(telegram::TelegramAdapter::new(options)));
            }
            // A process may run only the scheduler or the matcher (beside adapters in
            // other processes); with none of them there is nothing to do.
            if adapters.is_empty() && !settings.scheduler.enabled && !settings.matching.embedded {
                anyhow::bail!(
                    "nothing to run: set TELEGRAM_BOT_TOKEN to start the Telegram adapter \
                     (or enable scheduler.enabled or matching.embedded)"
                );
            }
            // One matcher configuration: the embedded worker's, whose "run now" the admin
            // API pulls; without an embedded worker the API runs a wave itself.
            let matcher = WorkerConfig::from_settings(&settings)?;
            runtime()?.block_on(async {
                // Before anything records: the runtime takes its metric handles at start.
                let metrics = admin_api::install_recorder()
                    .map_err(|error| anyhow::anyhow!("installing the metrics recorder: {error}"))?;
                let mut builder = Application::builder(&settings, &secrets).await?;
                for adapter in adapters {
                    builder = builder.adapter(adapter);
                }
                // The admin commands are answered by this process's admin desk.
                builder = builder.service(Box::new(bot_core::admin::AdminDesk::from_settings(
                    &settings,
                )));
                if settings.matching.embedded {
                    builder = builder.service(Box::new(EmbeddedMatcher(matcher.clone())));
                }
                let ops = admin_api::Ops::new(
                    builder.readiness(),
                    builder.conversations().store().clone(),
                    Some(metrics),
                );
                builder = builder.routes(ops.routes());
                match &secrets.admin_token {
                    Some(token) => {
                        let api = admin_api::v1::routes(
                            builder.conversations().clone(),
                            matcher,
                            token,
                        );
                        builder = builder.routes(api);
                        tracing::info!("admin API served under /api/v1");
                    }
                    None => tracing::warn!(
                        "{ADMIN_TOKEN_VAR} is not set: the admin API (/api/v1) is not served; \
                         set it to a long random secret to serve it (there is no default)"
                    ),
                }
                let application = builder.start().await?;
                if let Some(addr) = application.http_addr() {
                    tracing::info!(%addr, "health at /healthz, readiness at /readyz, metrics at /metrics");
                }
                if application.identities().is_empty() {
                    tracing::info!("lexbot is running without a chat adapter");
                }
                for (adapter, identity) in application.identities() {
                    tracing::info!(%adapter, %identity, "lexbot is running");
                }
                shutdown_signal().await;
                tracing::info!("shutting down");
                application.shutdown().await;
                Ok(())
            })
        }
        Command::Chat { name } => {
            let settings = load()?;
            // The conversation owns the terminal: only warnings and errors go to stderr.
            init_tracing("warn")?;
            let secrets = Secrets::from_env();
            // The admin commands are answered by this process's admin desk.
            let mut services: Vec<Box<dyn Service>> = vec![Box::new(
                bot_core::admin::AdminDesk::from_settings(&settings),
            )];
            if settings.matching.embedded {
                services.push(Box::new(EmbeddedMatcher(WorkerConfig::from_settings(
                    &settings,
                )?)));
            }
            let client_language = std::env::var("LANG")
                .ok()
                .filter(|l| !l.is_empty() && l != "C" && l != "POSIX");
            let runtime = runtime()?;
            let result = runtime.block_on(async {
                let (terminal, left) = terminal::LocalAdapter::new(
                    &name,
                    client_language,
                    tokio::io::BufReader::new(tokio::io::stdin()),
                    tokio::io::stdout(),
                );
                let adapters: Vec<Box<dyn Adapter>> = vec![Box::new(terminal)];
                let application =
                    Application::build(&settings, &secrets, adapters, services).await?;
                tokio::select! {
                    _ = left => {}
                    _ = shutdown_signal() => {}
                }
                application.shutdown().await;
                Ok(())
            });
            // A read of stdin may still wait for a line nobody will type: do not wait.
            runtime.shutdown_background();
            result
        }
    }
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Where the log format is chosen: `json` (one object per line, for a log collector)
/// or `text` (the default).
const LOG_FORMAT_VAR: &str = "LEXBOT_LOG_FORMAT";

fn init_tracing(default_filter: &str) -> anyhow::Result<()> {
    let json = match std::env::var(LOG_FORMAT_VAR) {
        Err(std::env::VarError::NotPresent) => false,
        Ok(format) if format.eq_ignore_ascii_case("text") || format.is_empty() => false,
        Ok(format) if format.eq_ignore_ascii_case("json") => true,
        Ok(other) => anyhow::bail!("{LOG_FORMAT_VAR}=`{other}`: use `json` or `text`"),
        Err(std::env::VarError::NotUnicode(_)) => {
            anyhow::bail!("{LOG_FORMAT_VAR} is not valid UTF-8: use `json` or `text`")
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
    bot_core::runtime::log_panics_without_messages();
    Ok(())
}
