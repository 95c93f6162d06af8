//! The running application: one store and runtime, one outbox dispatcher holding every
//! adapter's sender, the scheduler, background services (the embedded matcher), one HTTP
//! server adapters mount their routes on, and the order they stop in.
//!
//! An adapter is a value implementing [`Adapter`]: adding a platform touches no bot-core
//! file. [`Application::builder`] opens the store; [`ApplicationBuilder::start`] connects
//! every adapter, starts the dispatcher with their senders, the scheduler, the services,
//! the HTTP server and finally each adapter's intake.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;
use async_trait::async_trait;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Secrets, Settings};
use crate::engine::MAX_BUTTON_DATA;
use crate::outbox::{
    Dispatcher, DispatcherConfig, DispatcherHandle, PlatformLimits, PlatformSender,
};
use crate::runtime::Conversations;
use crate::scheduler::SchedulerHandle;

use super::Readiness;

/// A platform's way in and out of lexbot.
#[async_trait]
pub trait Adapter: Send + 'static {
    /// Its name in logs and errors ("telegram").
    fn name(&self) -> &'static str;

    /// Connects to the platform and says how its chats are reached: the sender the one
    /// dispatcher sends through, and the routes it needs on the one HTTP server.
    async fn connect(&mut self, conversations: &Conversations) -> anyhow::Result<Connection>;

    /// Starts taking in updates, once everything else runs. The task stops taking new
    /// ones when `stop` turns true and ends once what it took in is stepped.
    fn start_intake(
        self: Box<Self>,
        conversations: Conversations,
        stop: watch::Receiver<bool>,
    ) -> JoinHandle<()>;
}

/// What a connected adapter brings.
pub struct Connection {
    pub sender: Arc<dyn PlatformSender>,
    /// Mounted on the HTTP server (e.g. the Telegram webhook); `None` for none.
    pub routes: Option<axum::Router>,
    /// Who it is on the platform, for the start-up log ("@lexbot_bot").
    pub identity: String,
    /// What one message may carry there: replies are split to fit before they are
    /// queued, and buttons must carry the engine's longest callback data.
    pub limits: PlatformLimits,
}

/// Something that runs beside the adapters on the same runtime (the embedded matcher).
pub trait Service: Send + 'static {
    fn start(self: Box<Self>, conversations: Conversations) -> Box<dyn RunningService>;
}

/// A started [`Service`].
#[async_trait]
pub trait RunningService: Send {
    /// Stops it, letting what it was doing commit.
    async fn shutdown(self: Box<Self>);
    /// Stops it at once, as a killed process would.
    fn abort(self: Box<Self>);
}

/// The store is open; adapters and services are being gathered.
pub struct ApplicationBuilder {
    settings: Settings,
    conversations: Conversations,
    adapters: Vec<Box<dyn Adapter>>,
    services: Vec<Box<dyn Service>>,
    dispatcher: DispatcherConfig,
    /// Routes of the application's own (health, metrics, the admin API).
    routes: Vec<axum::Router>,
    readiness: Readiness,
}

/// Everything running; [`Application::shutdown`] stops it in order.
pub struct Application {
    conversations: Conversations,
    http_addr: Option<SocketAddr>,
    identities: Vec<(&'static str, String)>,
    stop_intake: watch::Sender<bool>,
    intakes: Vec<Intake>,
    http: Option<JoinHandle<()>>,
    services: Vec<Box<dyn RunningService>>,
    scheduler: Option<SchedulerHandle>,
    dispatcher: DispatcherHandle,
}

impl Application {
    /// Opens (and migrates) the store and builds the runtime; nothing runs yet.
    pub async fn builder(
        settings: &Settings,
        secrets: &Secrets,
    ) -> anyhow::Result<ApplicationBuilder> {
        let conversations = super::build(settings, secrets).await?;
        let readiness = Readiness::new(conversations.store().clone());
        Ok(ApplicationBuilder {
            settings: settings.clone(),
            conversations,
            adapters: Vec::new(),
            services: Vec::new(),
            dispatcher: settings.dispatcher(),
            routes: Vec::new(),
            readiness,
        })
    }

    /// Builds and starts the application with these adapters and services.
    pub async fn build(
        settings: &Settings,
        secrets: &Secrets,
        adapters: Vec<Box<dyn Adapter>>,
        services: Vec<Box<dyn Service>>,
    ) -> anyhow::Result<Application> {
        let mut builder = Self::builder(settings, secrets).await?;
        for adapter in adapters {
            builder = builder.adapter(adapter);
        }
        for service in services {
            builder = builder.service(service);
        }
        builder.start().await
    }

    pub fn conversations(&self) -> &Conversations {
        &self.conversations
    }

    /// Where the HTTP server listens, when some routes needed it.
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http_addr
    }

    /// Each adapter's name and who it is on its platform.
    pub fn identities(&self) -> &[(&'static str, String)] {
        &self.identities
    }

    /// Stops in order: intake first (no new updates; what was taken in is stepped), then
    /// the services (the matcher's last wave commits) and the scheduler (its steps
    /// commit), then the dispatcher (sends in flight finish, the rest is released for the
    /// next start), the HTTP server, and the store.
    pub async fn shutdown(self) {
        let _ = self.stop_intake.send(true);
        for intake in self.intakes {
            let _ = intake.watcher.await;
        }
        for service in self.services {
            service.shutdown().await;
        }
        if let Some(scheduler) = self.scheduler {
            scheduler.shutdown().await;
        }
        self.dispatcher.shutdown().await;
        if let Some(http) = self.http {
            let _ = http.await;
        }
        self.conversations.store().close().await;
    }

    /// Stops everything at once, as a killed process would: nothing is flushed, nothing
    /// released (the store stays open for the caller to close).
    pub fn kill(self) {
        for intake in self.intakes {
            intake.task.abort();
            intake.watcher.abort();
        }
        if let Some(http) = self.http {
            http.abort();
        }
        for service in self.services {
            service.abort();
        }
        if let Some(scheduler) = self.scheduler {
            scheduler.abort();
        }
        self.dispatcher.abort();
    }
}

impl ApplicationBuilder {
    pub fn conversations(&self) -> &Conversations {
        &self.conversations
    }

    pub fn adapter(mut self, adapter: Box<dyn Adapter>) -> Self {
        self.adapters.push(adapter);
        self
    }

    pub fn service(mut self, service: Box<dyn Service>) -> Self {
        self.services.push(service);
        self
    }

    /// Routes served on the one HTTP server beside the adapters' (health, metrics, the
    /// admin API); with any, the server starts even when no adapter has routes.
    pub fn routes(mut self, routes: axum::Router) -> Self {
        self.routes.push(routes);
        self
    }

    /// The application's readiness, for a `/readyz` route given to [`Self::routes`].
    pub fn readiness(&self) -> Readiness {
        self.readiness.clone()
    }

    /// The dispatcher's settings, when they differ from the config's (tests shorten
    /// the backoff).
    pub fn dispatcher(mut self, config: DispatcherConfig) -> Self {
        self.dispatcher = config;
        self
    }

    /// Connects every adapter and starts everything; a failing adapter stops the start
    /// with its name.
    pub async fn start(self) -> anyhow::Result<Application> {
        let ApplicationBuilder {
            settings,
            conversations,
            mut adapters,
            services,
            dispatcher,
            mut routes,
            readiness,
        } = self;
        let mut senders = Vec::with_capacity(adapters.len());
        let mut identities = Vec::with_capacity(adapters.len());
        for adapter in &mut adapters {
            let connection = adapter
                .connect(&conversations)
                .await
                .with_context(|| format!("starting the {} adapter", adapter.name()))?;
            let platform = connection.sender.platform();
            if connection.limits.max_button_data < MAX_BUTTON_DATA {
                anyhow::bail!(
                    "the {} adapter's buttons carry {} bytes of data; lexbot's flows need {}",
                    adapter.name(),
                    connection.limits.max_button_data,
                    MAX_BUTTON_DATA
                );
            }
            conversations.declare_platform_limits(platform, connection.limits);
            senders.push(connection.sender);
            routes.extend(connection.routes);
            identities.push((adapter.name(), connection.identity));
        }

        let (dispatcher, feed) = Dispatcher::spawn(
            conversations.store().clone(),
            senders,
            Arc::new(conversations.clone()),
            dispatcher,
        );
        conversations.attach_outbox(feed);
        // Lessons, reminders, exam time limits, timeouts and peer messages fire from here.
        let scheduler = super::start_scheduler(&conversations, &settings);
        let services = services
            .into_iter()
            .map(|service| service.start(conversations.clone()))
            .collect();

        let (stop_intake, stopped) = watch::channel(false);
        let (http, http_addr) = if routes.is_empty() {
            (None, None)
        } else {
            let (task, addr) = serve(&settings, routes, stopped.clone()).await?;
            (Some(task), Some(addr))
        };
        let intakes = adapters
            .into_iter()
            .map(|adapter| {
                let running = readiness.adapter_running(adapter.name());
                let intake = adapter.start_intake(conversations.clone(), stopped.clone());
                Intake::watch(intake, running)
            })
            .collect();
        readiness.mark_started();
        Ok(Application {
            conversations,
            http_addr,
            identities,
            stop_intake,
            intakes,
            http,
            services,
            scheduler,
            dispatcher,
        })
    }
}

/// An adapter's intake task, and the task that marks it stopped for `/readyz` once it
/// ends (awaited at shutdown in its place).
struct Intake {
    task: tokio::task::AbortHandle,
    watcher: JoinHandle<()>,
}

impl Intake {
    fn watch(intake: JoinHandle<()>, running: Arc<AtomicBool>) -> Self {
        let task = intake.abort_handle();
        let watcher = tokio::spawn(async move {
            let _ = intake.await;
            running.store(false, Ordering::Release);
        });
        Self { task, watcher }
    }
}

/// The one HTTP server, with every adapter's routes; it stops taking requests when
/// `stop` turns true and finishes those in progress.
async fn serve(
    settings: &Settings,
    routes: Vec<axum::Router>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<(JoinHandle<()>, SocketAddr)> {
    let listen = settings.http_listen()?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen} (http.listen)"))?;
    let addr = listener
        .local_addr()
        .with_context(|| format!("listening on {listen} (http.listen)"))?;
    let router = routes
        .into_iter()
        .fold(axum::Router::new(), axum::Router::merge);
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stop.wait_for(|stop| *stop).await;
        };
        if let Err(error) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(%error, "the HTTP server failed");
        }
    });
    tracing::info!(%addr, "HTTP server listening");
    Ok((task, addr))
}
