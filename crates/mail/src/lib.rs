//! Safehub notification email: short plain-text notices sent over SMTP.
//!
//! The crate is deliberately generic: a [`Notice`] is a recipient, a subject and
//! a plain-text body, and a [`Mailer`] built from [`SmtpSettings`] sends it.
//!
//! # No personal data in email
//!
//! Email leaves Safehub's control: it is stored on relays, in mailboxes and on
//! phones, and is often forwarded. Callers **must not** put personal data in a
//! notice's subject or body: no names, dates of birth, addresses, case details
//! or categories of concern. A notice says only that there is something to see
//! in Safehub, and gives a link to it; the reader signs in to see the rest.
//!
//! For the same reason [`MailError`] never repeats a recipient address, and
//! [`SmtpSettings`]'s `Debug` output never shows the SMTP password.

mod error;
mod mailer;
mod settings;

pub use error::MailError;
pub use mailer::{Mailer, Notice};
pub use settings::{Security, SmtpSettings};
