//! A real SMTP receiver for tests: the `mailin` crate's protocol state machine
//! (greeting, EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP,
//! QUIT) driven over tokio TCP on 127.0.0.1, port 0. Received messages are kept
//! in memory. Other crates' tests can use it with
//! `#[path = "../../mail/tests/support/smtp_server.rs"] mod smtp_server;`
//! (add `#[allow(dead_code)]` if some accessors go unused) and `mailin` plus
//! tokio's `io-util` as dev-dependencies.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use mailin::{Action, Handler, Response, SessionBuilder};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`).
    pub envelope_from: String,
    /// The envelope recipients (`RCPT TO`), in order.
    pub envelope_to: Vec<String>,
    /// The message data after dot-unstuffing, without the terminating `.` line.
    pub data: Vec<u8>,
}

type Inbox = Arc<Mutex<Vec<ReceivedMail>>>;

/// A running test SMTP server; it stops when dropped.
pub struct TestSmtpServer {
    addr: SocketAddr,
    inbox: Inbox,
    task: JoinHandle<()>,
}

impl TestSmtpServer {
    /// Binds 127.0.0.1 on a free port and starts accepting connections.
    pub async fn start() -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let inbox = Inbox::default();
        let accept_inbox = Arc::clone(&inbox);
        let task = tokio::spawn(async move {
            while let Ok((stream, peer)) = listener.accept().await {
                let inbox = Arc::clone(&accept_inbox);
                tokio::spawn(async move {
                    // A client that goes away mid-session is not the server's failure.
                    let _ = serve_session(stream, peer.ip(), inbox).await;
                });
            }
        });
        Ok(Self { addr, inbox, task })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The messages received so far, oldest first.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.inbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for TestSmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_session(stream: TcpStream, peer: IpAddr, inbox: Inbox) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut session = SessionBuilder::new("smtp.test.invalid").build(peer, Collector::new(inbox));
    write.write_all(&session.greeting().buffer()?).await?;
    let mut line = Vec::with_capacity(128);
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            Action::NoReply => {}
            Action::Reply => write.write_all(&response.buffer()?).await?,
            // STARTTLS is never offered, so an upgrade request only closes.
            Action::Close | Action::UpgradeTls => {
                write.write_all(&response.buffer()?).await?;
                return write.shutdown().await;
            }
        }
    }
}

/// Collects one session's transactions into the shared inbox.
struct Collector {
    inbox: Inbox,
    current: Option<ReceivedMail>,
}

impl Collector {
    fn new(inbox: Inbox) -> Self {
        Self {
            inbox,
            current: None,
        }
    }
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(ReceivedMail {
            envelope_from: from.to_owned(),
            envelope_to: to.to_vec(),
            data: Vec::new(),
        });
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Some(mail) = &mut self.current {
            mail.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(mail) = self.current.take() {
            self.inbox
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(mail);
        }
        mailin::response::OK
    }
}
