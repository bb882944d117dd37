//! SMTP settings as read from configuration, with defaults and a `Debug` that
//! hides the password.

use std::fmt;

use secrecy::SecretString;
use serde::Deserialize;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain TCP, no encryption: only for a relay on the same host or a test server.
    /// Credentials are refused with this setting.
    None,
    /// Connect in plain text, then require an upgrade with STARTTLS (usually port 587).
    /// Nothing is sent if the server cannot upgrade.
    #[default]
    StartTls,
    /// TLS from the first byte, "implicit TLS" (usually port 465).
    Tls,
}

/// Where and how to send notification email.
///
/// Deserialized from configuration, for example (TOML):
///
/// ```toml
/// host = "smtp.example.org"
/// port = 587
/// security = "starttls"
/// username = "safehub"
/// password = "…"
/// from = "Safehub <no-reply@safehub.invalid>"
/// timeout_seconds = 10
/// ```
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// The SMTP server's host name (also the name its TLS certificate must match).
    pub host: String,
    /// The SMTP server's port; defaults to 25.
    #[serde(default = "default_port")]
    pub port: u16,
    /// Transport security; defaults to [`Security::StartTls`].
    #[serde(default)]
    pub security: Security,
    /// User name for SMTP authentication, if the server needs it.
    #[serde(default)]
    pub username: Option<String>,
    /// Password for SMTP authentication; never shown by `Debug`.
    #[serde(default)]
    pub password: Option<SecretString>,
    /// The sender mailbox, e.g. `Safehub <no-reply@safehub.invalid>`.
    pub from: String,
    /// Limit for sending one notice, from connecting to the server's acceptance,
    /// in seconds; defaults to 10.
    #[serde(default = "default_timeout_seconds")]
    pub timeout_seconds: u64,
}

fn default_port() -> u16 {
    25
}

fn default_timeout_seconds() -> u64 {
    10
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("from", &self.from)
            .field("timeout_seconds", &self.timeout_seconds)
            .finish()
    }
}
