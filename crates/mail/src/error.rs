//! The ways sending a notice can fail.

use thiserror::Error;

/// A notice could not be sent, or the SMTP settings cannot be used.
///
/// No variant built here repeats an email address: addresses are personal data
/// and these errors end up in logs. Only [`MailError::Transport`] carries text
/// from outside, the SMTP server's reply, which some servers phrase with the
/// address they refused.
#[derive(Debug, Error)]
pub enum MailError {
    /// The notice's recipient is not a valid email address.
    #[error("the recipient address is not valid")]
    InvalidRecipient,
    /// The `from` mailbox in the SMTP settings is not valid.
    #[error("the sender (from) address in the SMTP settings is not valid")]
    InvalidSender,
    /// The SMTP settings are inconsistent or unusable (the reason says which).
    #[error("the SMTP settings cannot be used: {0}")]
    Settings(String),
    /// The message could not be put together (lettre's reason, which never
    /// contains the subject or body).
    #[error("the notice could not be composed: {0}")]
    Compose(#[source] lettre::error::Error),
    /// Connecting to the SMTP server, TLS, authentication or delivery failed,
    /// or the server rejected the message. The text is lettre's, which never
    /// contains the message subject or body; it may contain the server's
    /// reply, so it is for operators' logs, not for display to users.
    #[error("sending the notice over SMTP failed: {0}")]
    Transport(#[source] lettre::transport::smtp::Error),
    /// The server did not finish accepting the notice in time (connect,
    /// greeting, commands and data together).
    #[error("the SMTP server did not accept the notice within {seconds} seconds")]
    Timeout {
        /// The limit that was reached, from the settings' `timeout_seconds`.
        seconds: u64,
    },
}
