//! The `safehub` binary: serves the application and runs the administrators' commands.

mod analysis;
mod calendar;
mod config;
mod demo;
mod postcodes;
mod screening_tool;
mod users;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use safehub_store::Store;

use crate::config::Settings;

/// mimalloc instead of glibc's malloc: each thread allocates from its own heap, so the
/// tokio workers and the database threads do not queue on the allocator's locks under load,
/// and freed memory goes back to the system (see `bench/README.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Safehub: multi-agency safeguarding against child sexual exploitation.
#[derive(Parser)]
#[command(name = "safehub", version, about)]
struct Cli {
    /// A TOML configuration file (otherwise SAFEHUB_CONFIG, or ./safehub.toml if present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and API (migrates the database first).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (overrides the configuration).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Fill the database with a synthetic demo region and serve it.
    Demo {
        /// Fill the database and exit without serving.
        #[arg(long)]
        seed_only: bool,
        /// Address to listen on.
        #[arg(long)]
        listen: Option<String>,
        /// How many children to add with three years of front-door history (about five
        /// referrals for every three children); fewer seed faster.
        #[arg(long, default_value_t = demo::DemoSize::DEFAULT_CHILDREN)]
        children: usize,
    },
    /// Bring the database schema up to date.
    Migrate {
        /// On PostgreSQL, grant this application role what the server needs (and no right
        /// to change or delete audit entries).
        #[arg(long)]
        app_role: Option<String>,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(users::UserCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The CSE screening tool: load a region's own version, or list the stored ones.
    #[command(subcommand)]
    ScreeningTool(screening_tool::ScreeningToolCommand),
    /// Where postcodes are (easting, northing), for the hotspot map: load a directory, or
    /// count what is held.
    #[command(subcommand)]
    Postcodes(postcodes::PostcodeCommand),
    /// Working days on the calendar the clocks use (England and Wales bank holidays and
    /// the days the region closed), for checking a statutory date.
    Calendar(calendar::CalendarArgs),
    /// Resolve entities in a CSV of mentions: writes `unique_id,cluster_id` (or, with
    /// `--explain`, says why records do or do not match).
    Link(analysis::LinkArgs),
    /// Getis-Ord Gi* hotspots of points on a regular grid, with month, weekday and hour counts.
    Hotspots(analysis::HotspotArgs),
    /// Write a consistent copy of the database while it is in use.
    Backup {
        /// The file to write (must not exist).
        #[arg(long, short)]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exits 0 when intact, 1 naming the first bad entry otherwise.
    Verify,
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SAFEHUB_LOG")
        .unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "pretty" {
        builder.init();
    } else {
        builder.json().init();
    }
}

/// Opens the configured database and brings its schema up to date, saying what was done.
async fn open_store(settings: &Settings) -> Result<Store> {
    let store = Store::connect(&settings.database_url)
        .await
        .context("cannot open the database")?;
    let report = store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    if report.applied.is_empty() {
        tracing::info!(
            backend = store.backend().name(),
            version = report.version,
            "database schema is up to date"
        );
    } else {
        tracing::info!(backend = store.backend().name(), version = report.version, applied = ?report.applied, "database migrated");
    }
    Ok(store)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn serve(settings: &Settings, store: Store, listen: &str, demo: bool) -> Result<()> {
    let access = safehub_access::Authorizer::new().context("the access policies are not valid")?;
    let state = safehub_web::AppState::new(store, access, settings.web(demo)?);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    if !settings.assets_dir.join("safehub.css").exists() {
        tracing::warn!(dir = %settings.assets_dir.display(), "the GOV.UK assets are missing; run scripts/setup");
    }
    tracing::info!(address = %addr, "serving");
    if demo {
        demo::print_welcome(addr);
    }
    safehub_web::launch(state, listener, shutdown_signal()).await?;
    Ok(())
}

async fn run(cli: Cli) -> Result<i32> {
    // The file commands, and the calendar with only the shipped bank holidays, need
    // neither configuration nor database.
    let command = match cli.command {
        Command::Link(args) => return analysis::link(args).map(|()| 0),
        Command::Hotspots(args) => return analysis::hotspots(args).map(|()| 0),
        Command::Calendar(args) if args.shipped => {
            let shipped = safehub_domain::WorkingCalendar::england_and_wales();
            return calendar::run(args.command, &shipped, &[]).map(|()| 0);
        }
        other => other,
    };
    let settings = Settings::load(cli.config.as_deref())?;
    init_logging(&settings.log_format);
    match command {
        Command::Serve { listen } => {
            let store = open_store(&settings).await?;
            serve(
                &settings,
                store,
                listen.as_deref().unwrap_or(&settings.listen),
                false,
            )
            .await?;
        }
        Command::Demo {
            seed_only,
            listen,
            children,
        } => {
            let store = open_store(&settings).await?;
            demo::seed(&store, &settings, demo::DemoSize::with_children(children)).await?;
            if seed_only {
                store.close().await;
            } else {
                serve(
                    &settings,
                    store,
                    listen.as_deref().unwrap_or(&settings.listen),
                    true,
                )
                .await?;
            }
        }
        Command::Migrate { app_role } => {
            let store = open_store(&settings).await?;
            if let Some(role) = app_role {
                store.grant_app_role(&role).await?;
                println!(
                    "Granted {role} what Safehub needs; it cannot change or delete audit entries."
                );
            }
            println!("The database schema is up to date.");
            store.close().await;
        }
        Command::User(cmd) => {
            let store = open_store(&settings).await?;
            users::run(&store, &settings, cmd).await?;
            store.close().await;
        }
        Command::ScreeningTool(cmd) => {
            let store = open_store(&settings).await?;
            let done = screening_tool::run(&store, cmd).await;
            store.close().await;
            done?;
        }
        Command::Calendar(args) => {
            let store = open_store(&settings).await?;
            let closed = store.closed_days().await;
            store.close().await;
            let closed = closed.context("cannot read the days the region closed")?;
            let calendar = safehub_domain::WorkingCalendar::england_and_wales()
                .with_extra(closed.iter().map(|(day, _)| *day));
            calendar::run(args.command, &calendar, &closed)?;
        }
        Command::Postcodes(cmd) => {
            let store = open_store(&settings).await?;
            let done = postcodes::run(&store, cmd).await;
            store.close().await;
            done?;
        }
        Command::Audit(AuditCommand::Verify) => {
            let store = open_store(&settings).await?;
            let report = store.verify_audit().await?;
            store.close().await;
            match report.first_problem {
                None => {
                    println!(
                        "The audit trail is intact: {} entries. Head hash {}.",
                        report.entries, report.head_hash
                    );
                }
                Some((seq, why)) => {
                    println!("The audit trail is NOT intact. First bad entry: {seq}. {why}.");
                    return Ok(1);
                }
            }
        }
        // Run above, before any configuration is read.
        Command::Link(_) | Command::Hotspots(_) => {}
        Command::Backup { output } => {
            let store = open_store(&settings).await?;
            store.backup(&output).await?;
            store.close().await;
            println!("Backup written to {}.", output.display());
        }
    }
    Ok(0)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(0) => std::process::ExitCode::SUCCESS,
        Ok(code) => std::process::ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("safehub: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
