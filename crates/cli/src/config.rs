//! Configuration in layers: built-in defaults, then a TOML file (`--config`, or
//! `SAFEHUB_CONFIG`, or `safehub.toml` if present), then `SAFEHUB_*` environment variables.
//! Secrets may instead be read from files named by `SAFEHUB_<NAME>_FILE`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use safehub_auth::{CsrfKey, PasswordHasher, SecretString};
use safehub_web::WebConfig;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

/// Every setting, with its default.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Settings {
    /// `sqlite://path` (default) or `postgres://user@host/db`.
    pub database_url: String,
    /// The address to listen on.
    pub listen: String,
    /// The compiled GOV.UK assets.
    pub assets_dir: PathBuf,
    /// Minutes without a request before a session ends.
    pub session_idle_minutes: u64,
    /// Hours after sign-in when a session ends regardless.
    pub session_absolute_hours: u64,
    /// 64 hex characters signing CSRF tokens; random at each start when unset (forms open
    /// across a restart then need reloading).
    #[serde(skip_serializing)]
    pub csrf_key: Option<SecretString>,
    /// Bearer token that unlocks `/metrics`; `/metrics` answers 404 without one.
    #[serde(skip_serializing)]
    pub metrics_token: Option<SecretString>,
    /// Argon2id memory cost in KiB.
    pub argon2_memory_kib: u32,
    /// Argon2id passes.
    pub argon2_iterations: u32,
    /// Trust `X-Forwarded-For` from the reverse proxy.
    pub trust_forwarded_for: bool,
    /// `json` (default, for log collectors) or `pretty`.
    pub log_format: String,
    /// The address people use to reach Safehub; links in notification e-mails start with it.
    pub public_url: String,
    /// The SMTP server for notification e-mails, as a `[smtp]` table (`host`, `port`,
    /// `security` = none|starttls|tls, `username`, `password`, `from`, `timeout_seconds`).
    /// Without it, notifications are in-app only.
    #[serde(skip_serializing)]
    pub smtp: Option<safehub_mail::SmtpSettings>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://safehub.sqlite3".into(),
            listen: "127.0.0.1:8080".into(),
            assets_dir: PathBuf::from("web-assets/dist"),
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            csrf_key: None,
            metrics_token: None,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            trust_forwarded_for: false,
            log_format: "json".into(),
            public_url: "http://127.0.0.1:8080".into(),
            smtp: None,
        }
    }
}

const SECRET_FILES: [&str; 3] = ["DATABASE_URL", "CSRF_KEY", "METRICS_TOKEN"];

impl Settings {
    /// Loads the layers.
    pub fn load(file: Option<&Path>) -> Result<Settings> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("SAFEHUB_CONFIG").map(PathBuf::from));
        match file {
            Some(path) => {
                anyhow::ensure!(
                    path.exists(),
                    "the configuration file {} does not exist",
                    path.display()
                );
                figment = figment.merge(Toml::file(path));
            }
            None if Path::new("safehub.toml").exists() => {
                figment = figment.merge(Toml::file("safehub.toml"))
            }
            None => {}
        }
        figment = figment.merge(
            Env::prefixed("SAFEHUB_")
                .ignore(&["CONFIG", "TEST_POSTGRES"])
                .filter(|k| !k.as_str().ends_with("_FILE")),
        );
        let mut settings: Settings = figment
            .extract()
            .context("the configuration is not valid")?;
        for name in SECRET_FILES {
            if let Some(path) = std::env::var_os(format!("SAFEHUB_{name}_FILE")) {
                let value = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read SAFEHUB_{name}_FILE"))?
                    .trim()
                    .to_owned();
                match name {
                    "DATABASE_URL" => settings.database_url = value,
                    "CSRF_KEY" => settings.csrf_key = Some(value.into()),
                    _ => settings.metrics_token = Some(value.into()),
                }
            }
        }
        Ok(settings)
    }

    /// The web face's configuration.
    pub fn web(&self, demo: bool) -> Result<WebConfig> {
        let csrf_key = match &self.csrf_key {
            Some(hex_key) => {
                let bytes = hex::decode(hex_key.expose_secret().trim())
                    .context("csrf_key must be 64 hex characters")?;
                CsrfKey::from_slice(&bytes).context("csrf_key must be 64 hex characters")?
            }
            None => CsrfKey::generate(),
        };
        Ok(WebConfig {
            demo,
            assets_dir: self.assets_dir.clone(),
            session_idle: Duration::from_secs(self.session_idle_minutes * 60),
            session_absolute: Duration::from_secs(self.session_absolute_hours * 3600),
            csrf_key,
            password_hasher: self.password_hasher()?,
            throttle: Default::default(),
            metrics_token: self.metrics_token.clone(),
            body_limit: 256 * 1024,
            trust_forwarded_for: self.trust_forwarded_for,
            smtp: self.smtp.clone(),
            public_url: self.public_url.clone(),
            background_worker: true,
        })
    }

    /// The password hasher with the configured costs.
    pub fn password_hasher(&self) -> Result<PasswordHasher> {
        PasswordHasher::new(self.argon2_memory_kib, self.argon2_iterations, 1)
            .context("the Argon2 settings are not valid")
    }
}
