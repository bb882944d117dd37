//! Builds the SMTP transport once from settings and sends plain-text notices.

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use uuid::Uuid;

use crate::{MailError, Security, SmtpSettings};

/// One plain-text email to one recipient.
///
/// The subject and body must carry no personal data: only that there is
/// something to see, and a link (see the crate documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The recipient's address, e.g. `worker@council.example` or
    /// `A Worker <worker@council.example>`.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

/// Sends [`Notice`]s through one SMTP server. Cheap to clone; each send opens
/// its own connection.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
    host: String,
    port: u16,
    security: Security,
}

impl Mailer {
    /// Checks the settings (sender mailbox, credentials, timeout, TLS set-up)
    /// and prepares the transport. Does not connect.
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, MailError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|_| MailError::InvalidSender)?;
        if settings.timeout_seconds == 0 {
            return Err(MailError::Settings(
                "timeout_seconds must be at least 1".to_owned(),
            ));
        }

        let timeout = Duration::from_secs(settings.timeout_seconds);

        let tls = match settings.security {
            Security::None => Tls::None,
            Security::StartTls => Tls::Required(tls_parameters(&settings.host)?),
            Security::Tls => Tls::Wrapper(tls_parameters(&settings.host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .tls(tls)
            .timeout(Some(timeout));

        match (&settings.username, &settings.password) {
            (None, None) => {}
            (Some(username), Some(password)) => {
                if settings.security == Security::None {
                    // A password sent without TLS can be read by anyone on the path.
                    return Err(MailError::Settings(
                        "a username and password need security \"starttls\" or \"tls\"".to_owned(),
                    ));
                }
                builder = builder.credentials(Credentials::new(
                    username.clone(),
                    password.expose_secret().to_owned(),
                ));
            }
            _ => {
                return Err(MailError::Settings(
                    "username and password must be given together".to_owned(),
                ));
            }
        }

        Ok(Mailer {
            transport: builder.build(),
            from,
            timeout,
            host: settings.host.clone(),
            port: settings.port,
            security: settings.security,
        })
    }

    /// Sends one notice as a `text/plain; charset=utf-8` message, giving up
    /// after the settings' `timeout_seconds` in all.
    pub async fn send(&self, notice: &Notice) -> Result<(), MailError> {
        let to: Mailbox = notice.to.parse().map_err(|_| MailError::InvalidRecipient)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .message_id(Some(self.new_message_id()))
            .subject(notice.subject.as_str())
            .header(ContentType::TEXT_PLAIN)
            .body(notice.body.clone())
            .map_err(MailError::Compose)?;
        // lettre's own timeout bounds only the TCP connect in its async
        // transport (lettre issue #1027), so the whole exchange gets a deadline.
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Ok(Ok(_response)) => Ok(()),
            Ok(Err(error)) => Err(MailError::Transport(error)),
            Err(_elapsed) => Err(MailError::Timeout {
                seconds: self.timeout.as_secs(),
            }),
        }
    }

    /// A fresh `<random@sender-domain>` id. lettre adds none by itself, and many
    /// receivers score a message without one as likely spam.
    fn new_message_id(&self) -> String {
        format!("<{}@{}>", Uuid::new_v4().simple(), self.from.email.domain())
    }
}

fn tls_parameters(host: &str) -> Result<TlsParameters, MailError> {
    TlsParameters::new(host.to_owned())
        .map_err(|e| MailError::Settings(format!("TLS cannot be set up: {e}")))
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}
