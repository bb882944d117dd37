//! `Mailer` against a real SMTP server on 127.0.0.1 (see `support/smtp_server.rs`),
//! against a closed port and a silent one, and with bad input.

#[path = "support/smtp_server.rs"]
mod smtp_server;

use std::time::{Duration, Instant};

use safehub_mail::{MailError, Mailer, Notice, Security, SmtpSettings};
use smtp_server::{ReceivedMail, TestSmtpServer};

const FROM: &str = "Safehub <no-reply@safehub.invalid>";

fn plain_settings(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".to_owned(),
        port,
        security: Security::None,
        username: None,
        password: None,
        from: FROM.to_owned(),
        timeout_seconds: 2,
    }
}

fn notice(to: &str, subject: &str, body: &str) -> Notice {
    Notice {
        to: to.to_owned(),
        subject: subject.to_owned(),
        body: body.to_owned(),
    }
}

/// A received message split into unfolded headers and body (RFC 5322 §2.2.3).
struct Parsed {
    headers: Vec<(String, String)>,
    body: String,
}

impl Parsed {
    fn new(mail: &ReceivedMail) -> Self {
        let text = String::from_utf8(mail.data.clone()).expect("message data is UTF-8");
        let (head, body) = text
            .split_once("\r\n\r\n")
            .expect("a blank line ends the headers");
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                let (_, value) = headers.last_mut().expect("a folded line follows a header");
                value.push_str(line);
            } else {
                let (name, value) = line.split_once(':').expect("a header line has a colon");
                headers.push((name.to_owned(), value.trim_start().to_owned()));
            }
        }
        Self {
            headers,
            body: body.to_owned(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[tokio::test]
async fn r2_8_two_notices_arrive_with_their_recipient_from_subject_and_body() {
    let server = TestSmtpServer::start()
        .await
        .expect("test SMTP server starts");
    let mailer = Mailer::new(&plain_settings(server.port())).expect("settings are valid");

    // The second body has lines starting with "." to prove dot-stuffing round-trips.
    let first = notice(
        "co-ordinator@council.example",
        "Safehub: there is something for you to see",
        "There is something new for you in Safehub.\nhttps://safehub.example/inbox\n",
    );
    let second = notice(
        "A Worker <worker@agency.example>",
        "Safehub: a meeting needs your reply",
        "Please sign in to see it.\n.\n..and this line starts with dots\nhttps://safehub.example/meetings\n",
    );
    mailer.send(&first).await.expect("first notice is accepted");
    mailer
        .send(&second)
        .await
        .expect("second notice is accepted");

    let received = server.received();
    assert_eq!(received.len(), 2);
    let ids: Vec<String> = received
        .iter()
        .map(|mail| {
            let id = Parsed::new(mail).header("Message-ID").map(str::to_owned);
            id.expect("every notice has a Message-ID")
        })
        .collect();
    assert!(
        ids.iter()
            .all(|id| id.starts_with('<') && id.ends_with("@safehub.invalid>"))
    );
    assert_ne!(ids[0], ids[1]);
    let expectations = [
        (&received[0], "co-ordinator@council.example", &first),
        (&received[1], "worker@agency.example", &second),
    ];
    for (mail, envelope_to, sent) in expectations {
        assert_eq!(mail.envelope_from, "no-reply@safehub.invalid");
        assert_eq!(mail.envelope_to, vec![envelope_to.to_owned()]);
        let parsed = Parsed::new(mail);
        assert_eq!(parsed.header("From"), Some(FROM));
        assert!(
            parsed
                .header("To")
                .is_some_and(|to| to.contains(envelope_to)),
            "To header names the recipient"
        );
        assert_eq!(parsed.header("Subject"), Some(sent.subject.as_str()));
        assert_eq!(
            parsed.header("Content-Type"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(parsed.header("Content-Transfer-Encoding"), Some("7bit"));
        assert_eq!(
            parsed.body.trim_end_matches("\r\n"),
            sent.body.replace('\n', "\r\n").trim_end_matches("\r\n"),
        );
    }
}

#[tokio::test]
async fn a_line_break_in_the_subject_cannot_add_a_header_or_a_recipient() {
    let server = TestSmtpServer::start()
        .await
        .expect("test SMTP server starts");
    let mailer = Mailer::new(&plain_settings(server.port())).expect("settings are valid");

    let sneaky = notice(
        "co-ordinator@council.example",
        "Hello\r\nBcc: outsider@elsewhere.example",
        "Body.\n",
    );
    mailer.send(&sneaky).await.expect("notice is accepted");

    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].envelope_to,
        vec!["co-ordinator@council.example".to_owned()]
    );
    let parsed = Parsed::new(&received[0]);
    assert_eq!(parsed.header("Bcc"), None);
    assert_eq!(
        parsed
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Subject"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_closed_port_gives_a_transport_error_within_the_timeout() {
    // Bind then drop, so nothing listens on the port.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        listener.local_addr().expect("local address").port()
    };
    let mailer = Mailer::new(&plain_settings(port)).expect("settings are valid");

    let started = Instant::now();
    let outcome = tokio::time::timeout(
        Duration::from_secs(5),
        mailer.send(&notice("co-ordinator@council.example", "Subject", "Body")),
    )
    .await
    .expect("send returns before the test's own limit");
    assert!(
        matches!(outcome, Err(MailError::Transport(_))),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_server_that_never_greets_gives_a_timeout_error_after_the_timeout() {
    // The kernel completes the TCP handshake into the backlog, but nobody answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("local address").port();
    let mut settings = plain_settings(port);
    settings.timeout_seconds = 1;
    let mailer = Mailer::new(&settings).expect("settings are valid");

    let started = Instant::now();
    let outcome = tokio::time::timeout(
        Duration::from_secs(5),
        mailer.send(&notice("co-ordinator@council.example", "Subject", "Body")),
    )
    .await
    .expect("send returns before the test's own limit");
    assert!(
        matches!(outcome, Err(MailError::Timeout { seconds: 1 })),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(listener);
}

#[tokio::test]
async fn starttls_is_required_so_a_server_without_it_gets_nothing() {
    let server = TestSmtpServer::start()
        .await
        .expect("test SMTP server starts");
    let mut settings = plain_settings(server.port());
    settings.security = Security::StartTls;
    let mailer = Mailer::new(&settings).expect("settings are valid");

    let outcome = mailer
        .send(&notice("co-ordinator@council.example", "Subject", "Body"))
        .await;
    assert!(
        matches!(outcome, Err(MailError::Transport(_))),
        "{outcome:?}"
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn r8_2_a_malformed_recipient_is_refused_without_repeating_the_address() {
    let server = TestSmtpServer::start()
        .await
        .expect("test SMTP server starts");
    let mailer = Mailer::new(&plain_settings(server.port())).expect("settings are valid");

    for bad in [
        "jane.doe at council.example",
        "jane.doe@",
        "<jane.doe@council.example",
    ] {
        let outcome = mailer.send(&notice(bad, "Subject", "Body")).await;
        let Err(error @ MailError::InvalidRecipient) = outcome else {
            panic!("expected InvalidRecipient, got {outcome:?}");
        };
        let text = error.to_string();
        assert_eq!(text, "the recipient address is not valid");
        assert!(!text.contains("jane.doe"));
        assert!(!format!("{error:?}").contains("jane.doe"));
    }
    assert!(server.received().is_empty());
}
