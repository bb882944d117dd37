//! Safehub's web face: the GOV.UK pages practitioners use, the JSON API under `/api/v1`, and
//! the operational endpoints. Every read and write of case data goes through [`guard`], the
//! one place that asks the access policies and writes the audit entry.

pub mod analysis;
mod api;
pub mod client;
mod directory;
mod error;
pub mod front_door;
pub mod guard;
mod headers;
mod layout;
mod metrics;
mod ops;
mod pages;
mod posted;
mod session;
mod sharing;
pub mod worker;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use safehub_access::Authorizer;
use safehub_auth::{CsrfKey, PasswordHasher};
use safehub_store::Store;
use safehub_store::sessions::ThrottlePolicy;
use secrecy::SecretString;
use tokio::net::TcpListener;

pub use metrics::Metrics;

/// How the web face behaves; built by the binary from its layered configuration.
#[derive(Debug)]
pub struct WebConfig {
    /// Shows the "demo data" banner on every page.
    pub demo: bool,
    /// Where the compiled GOV.UK assets are (`web-assets/dist`).
    pub assets_dir: PathBuf,
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however busy.
    pub session_absolute: Duration,
    /// Signs CSRF tokens; a random key each start unless configured.
    pub csrf_key: CsrfKey,
    /// Argon2id parameters for passwords.
    pub password_hasher: PasswordHasher,
    /// Sign-in throttling.
    pub throttle: ThrottlePolicy,
    /// Bearer token for `/metrics`; without one, `/metrics` is not served.
    pub metrics_token: Option<SecretString>,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Trust the first `X-Forwarded-For` address (only behind a reverse proxy you run).
    pub trust_forwarded_for: bool,
    /// The SMTP server notification e-mails go through; `None` sends none (in-app only).
    pub smtp: Option<safehub_mail::SmtpSettings>,
    /// The address people use to reach Safehub, for links in e-mails.
    pub public_url: String,
    /// Run the background worker (escalations, e-mails) beside the server. Tests turn it off
    /// and call the worker's passes themselves, at the times they choose.
    pub background_worker: bool,
}

impl WebConfig {
    /// Settings suitable for tests: fast password hashing, a random CSRF key.
    pub fn for_tests() -> Self {
        WebConfig {
            demo: false,
            assets_dir: PathBuf::from("web-assets/dist"),
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            csrf_key: CsrfKey::generate(),
            password_hasher: PasswordHasher::fast_for_tests(),
            throttle: ThrottlePolicy::default(),
            metrics_token: None,
            body_limit: 64 * 1024,
            trust_forwarded_for: false,
            smtp: None,
            public_url: "http://127.0.0.1:8080".to_owned(),
            background_worker: false,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    access: Authorizer,
    config: WebConfig,
    metrics: Metrics,
    directory: directory::Directory,
    calendar: std::sync::RwLock<Arc<safehub_domain::WorkingCalendar>>,
    pictures: analysis::Pictures,
}

impl AppState {
    /// Builds the state from an open, migrated store.
    pub fn new(store: Store, access: Authorizer, config: WebConfig) -> Self {
        AppState {
            inner: Arc::new(Inner {
                store,
                access,
                config,
                metrics: Metrics::default(),
                directory: Default::default(),
                calendar: std::sync::RwLock::new(Arc::new(
                    safehub_domain::WorkingCalendar::england_and_wales(),
                )),
                pictures: Default::default(),
            }),
        }
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn access(&self) -> &Authorizer {
        &self.inner.access
    }

    pub(crate) fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    pub(crate) fn directory(&self) -> &directory::Directory {
        &self.inner.directory
    }

    /// The analysis pictures built so far, for reuse while nothing they read has changed.
    pub(crate) fn pictures(&self) -> &analysis::Pictures {
        &self.inner.pictures
    }

    /// The working-day calendar: the shipped bank holidays plus the days administrators
    /// added (R3).
    pub fn calendar(&self) -> Arc<safehub_domain::WorkingCalendar> {
        match self.inner.calendar.read() {
            Ok(c) => Arc::clone(&c),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reloads the days administrators added to the calendar from the database.
    pub async fn reload_calendar(&self) -> Result<(), safehub_store::StoreError> {
        let calendar = Arc::new(self.store().working_calendar().await?);
        match self.inner.calendar.write() {
            Ok(mut c) => *c = calendar,
            Err(poisoned) => *poisoned.into_inner() = calendar,
        }
        Ok(())
    }

    /// The request and audit counters.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }
}

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config().body_limit;
    let assets = tower_http::services::ServeDir::new(&state.config().assets_dir);
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .merge(ops::routes())
        .nest_service("/assets", assets)
        .fallback(pages::not_found)
        // Outermost last: security headers on everything, even a panic's page.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::error_pages,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        ))
        .layer(axum::middleware::from_fn(headers::security_headers))
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes, then finishes the
/// requests in flight and flushes the audit writer.
pub async fn launch(
    state: AppState,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store().clone();
    if let Err(e) = state.reload_calendar().await {
        tracing::error!(error = %e, "could not read the added calendar days; using the shipped calendar");
    }
    if let Err(e) = pages::screening::ensure_default_tool(&state).await {
        tracing::error!(error = %e, "could not store the shipped screening tool");
    }
    let worker = state
        .config()
        .background_worker
        .then(|| tokio::spawn(worker::run(state.clone())));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    if let Some(worker) = worker {
        worker.abort();
    }
    served?;
    store.close().await;
    Ok(())
}
