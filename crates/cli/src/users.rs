//! `safehub user ...`: account administration from the server's shell, for the first
//! administrator and for service accounts. Every change is audited as done by `cli`.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use safehub_auth::{SecretString, Token};
use safehub_domain::{Role, UserId};
use safehub_store::audit::{self, RecordKind};
use safehub_store::users::{self, NewUser};
use safehub_store::{AuditAction, AuditOutcome, NewAuditEntry, Store, sessions};

use crate::config::Settings;

/// Account commands.
#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an account. The first password is read from standard input (one line).
    Add {
        /// Work email address.
        #[arg(long)]
        email: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// The agency's exact name.
        #[arg(long)]
        agency: String,
        /// A role code (repeat for several), e.g. administrator, mash_worker.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// A service account: no password sign-in, API tokens only.
        #[arg(long)]
        service_account: bool,
    },
    /// Disable an account, ending its sessions and revoking its API tokens.
    Disable {
        /// The account's email.
        email: String,
    },
    /// Remove an account's second factor; it enrols again at next sign-in.
    ResetSecondFactor {
        /// The account's email.
        email: String,
    },
    /// List accounts.
    List,
    /// Issue an API token for a service account; the token is printed once.
    Token {
        /// The service account's email.
        email: String,
        /// A name to recognise the token by.
        #[arg(long)]
        name: String,
        /// A scope (repeat for several), e.g. children:read.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
    },
    /// Revoke an API token by its id.
    RevokeToken {
        /// The token id printed when it was issued.
        id: String,
    },
}

fn cli_entry(action: AuditAction, record_id: String, detail: serde_json::Value) -> NewAuditEntry {
    NewAuditEntry {
        actor_user: None,
        actor_role: "system".into(),
        actor_agency: None,
        action,
        record_kind: RecordKind::User,
        record_id: Some(record_id),
        outcome: AuditOutcome::Allowed,
        policies: "cli".into(),
        client: "cli".into(),
        detail,
    }
}

async fn find(store: &Store, email: &str) -> Result<safehub_store::users::User> {
    store
        .user_by_email(&email.trim().to_lowercase())
        .await?
        .with_context(|| "no account has that email address")
}

/// Runs one account command.
pub async fn run(store: &Store, settings: &Settings, cmd: UserCommand) -> Result<()> {
    match cmd {
        UserCommand::Add {
            email,
            name,
            agency,
            roles,
            service_account,
        } => {
            let email = email.trim().to_lowercase();
            let agency = store
                .agencies()
                .await?
                .into_iter()
                .find(|a| a.name == agency || a.id.to_string() == agency)
                .context("no agency has that name")?;
            let roles: Vec<Role> = roles
                .iter()
                .map(|r| r.parse())
                .collect::<Result<_, _>>()
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let password_hash = if service_account {
                // Nobody can sign in with this: it is a hash of 32 random bytes.
                settings
                    .password_hasher()?
                    .hash(&SecretString::from(Token::generate().encode()))?
            } else {
                eprintln!("Type the first password for {email} and press Enter:");
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                let password = line.trim_end_matches(['\r', '\n']).to_owned();
                if let Err(p) = safehub_auth::check_new_password(&password, &email) {
                    bail!("{}", p.message());
                }
                settings
                    .password_hasher()?
                    .hash(&SecretString::from(password))?
            };
            let id = UserId::new();
            let new = NewUser {
                id,
                email: email.clone(),
                display_name: name,
                agency: agency.id,
                team: None,
                roles,
                password_hash,
                is_service_account: service_account,
            };
            let mut tx = store.begin().await?;
            users::insert_user(&mut tx, &new).await?;
            audit::append(
                &mut tx,
                &[cli_entry(
                    AuditAction::Create,
                    id.to_string(),
                    serde_json::json!({ "service_account": service_account }),
                )],
            )
            .await?;
            tx.commit().await?;
            println!("Added {email} ({id}).");
        }
        UserCommand::Disable { email } => {
            let user = find(store, &email).await?;
            let mut tx = store.begin().await?;
            users::disable_user(&mut tx, user.id).await?;
            audit::append(
                &mut tx,
                &[cli_entry(
                    AuditAction::Disable,
                    user.id.to_string(),
                    serde_json::json!({}),
                )],
            )
            .await?;
            tx.commit().await?;
            println!(
                "Disabled {}; their sessions and API tokens have ended.",
                user.email
            );
        }
        UserCommand::ResetSecondFactor { email } => {
            let user = find(store, &email).await?;
            let mut tx = store.begin().await?;
            users::reset_second_factor(&mut tx, user.id).await?;
            audit::append(
                &mut tx,
                &[cli_entry(
                    AuditAction::ResetSecondFactor,
                    user.id.to_string(),
                    serde_json::json!({}),
                )],
            )
            .await?;
            tx.commit().await?;
            println!(
                "Reset the second factor of {}; they set it up again at next sign-in.",
                user.email
            );
        }
        UserCommand::List => {
            let areas: Vec<_> = store.areas().await?.into_iter().map(|a| a.id).collect();
            for u in store.users_in_areas(&areas).await? {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.code()).collect();
                let status = if u.disabled_at.is_some() {
                    "disabled"
                } else if u.totp_enrolled {
                    "active"
                } else {
                    "not enrolled"
                };
                println!(
                    "{}\t{}\t{}\t{}",
                    u.email,
                    u.display_name,
                    roles.join(","),
                    status
                );
            }
        }
        UserCommand::Token {
            email,
            name,
            scopes,
        } => {
            let user = find(store, &email).await?;
            if !user.is_service_account {
                bail!(
                    "API tokens are issued only to service accounts (add one with --service-account)"
                );
            }
            let token = Token::generate_api();
            let id = uuid::Uuid::now_v7().to_string();
            let mut tx = store.begin().await?;
            sessions::insert_api_token(&mut tx, &id, &token.hash(), user.id, &name, &scopes)
                .await?;
            let mut e = cli_entry(
                AuditAction::Create,
                id.clone(),
                serde_json::json!({ "scopes": scopes, "user": user.id.to_string() }),
            );
            e.record_kind = RecordKind::ApiToken;
            audit::append(&mut tx, &[e]).await?;
            tx.commit().await?;
            println!("Token id: {id}");
            println!(
                "Token (shown once, store it as a secret): {}",
                token.encode()
            );
        }
        UserCommand::RevokeToken { id } => {
            let mut tx = store.begin().await?;
            if !sessions::revoke_api_token(&mut tx, &id).await? {
                bail!("no live token has that id");
            }
            let mut e = cli_entry(
                AuditAction::Change,
                id.clone(),
                serde_json::json!({ "revoked": true }),
            );
            e.record_kind = RecordKind::ApiToken;
            audit::append(&mut tx, &[e]).await?;
            tx.commit().await?;
            println!("Revoked token {id}.");
        }
    }
    Ok(())
}
