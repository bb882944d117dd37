//! `SmtpSettings` from configuration, and the checks `Mailer::new` makes.

use safehub_mail::{MailError, Mailer, Security, SmtpSettings};
use secrecy::SecretString;

fn settings(json: serde_json::Value) -> SmtpSettings {
    serde_json::from_value(json).expect("settings deserialize")
}

#[test]
fn defaults_are_port_25_starttls_and_ten_seconds() {
    let s = settings(serde_json::json!({
        "host": "smtp.example.org",
        "from": "Safehub <no-reply@safehub.invalid>",
    }));
    assert_eq!(s.port, 25);
    assert_eq!(s.security, Security::StartTls);
    assert_eq!(s.timeout_seconds, 10);
    assert!(s.username.is_none() && s.password.is_none());
}

#[test]
fn security_is_spelled_none_starttls_or_tls() {
    for (text, expected) in [
        ("none", Security::None),
        ("starttls", Security::StartTls),
        ("tls", Security::Tls),
    ] {
        let s = settings(serde_json::json!({
            "host": "smtp.example.org",
            "from": "no-reply@safehub.invalid",
            "security": text,
        }));
        assert_eq!(s.security, expected);
    }
    let wrong = serde_json::from_value::<SmtpSettings>(serde_json::json!({
        "host": "smtp.example.org",
        "from": "no-reply@safehub.invalid",
        "security": "ssl",
    }));
    assert!(wrong.is_err());
}

#[test]
fn a_misspelt_setting_is_an_error_not_ignored() {
    let wrong = serde_json::from_value::<SmtpSettings>(serde_json::json!({
        "host": "smtp.example.org",
        "from": "no-reply@safehub.invalid",
        "passwrod": "x",
    }));
    assert!(wrong.is_err());
}

#[test]
fn debug_output_never_shows_the_password() {
    let s = settings(serde_json::json!({
        "host": "smtp.example.org",
        "port": 587,
        "username": "safehub",
        "password": "correct horse battery staple",
        "from": "no-reply@safehub.invalid",
    }));
    let shown = format!("{s:?} {s:#?}");
    assert!(!shown.contains("correct horse"), "{shown}");
    assert!(shown.contains("[redacted]"));
    let mailer = Mailer::new(&s).expect("settings are valid");
    assert!(!format!("{mailer:?}").contains("correct horse"));
}

#[test]
fn an_invalid_from_address_is_refused() {
    let mut s = settings(serde_json::json!({
        "host": "smtp.example.org",
        "from": "Safehub no-reply",
    }));
    assert!(matches!(Mailer::new(&s), Err(MailError::InvalidSender)));
    s.from = "Safehub <no-reply@safehub.invalid>".to_owned();
    assert!(Mailer::new(&s).is_ok());
}

#[test]
fn credentials_need_tls_and_come_in_pairs() {
    let mut s = settings(serde_json::json!({
        "host": "127.0.0.1",
        "security": "none",
        "username": "safehub",
        "password": "secret",
        "from": "no-reply@safehub.invalid",
    }));
    assert!(matches!(Mailer::new(&s), Err(MailError::Settings(_))));

    s.security = Security::Tls;
    assert!(Mailer::new(&s).is_ok());

    s.password = None;
    assert!(matches!(Mailer::new(&s), Err(MailError::Settings(_))));
    s.username = None;
    s.password = Some(SecretString::from("secret"));
    assert!(matches!(Mailer::new(&s), Err(MailError::Settings(_))));
}

#[test]
fn a_zero_timeout_is_refused() {
    let mut s = settings(serde_json::json!({
        "host": "127.0.0.1",
        "from": "no-reply@safehub.invalid",
    }));
    s.timeout_seconds = 0;
    assert!(matches!(Mailer::new(&s), Err(MailError::Settings(_))));
}
