//! `safehub screening-tool ...`: a region loads its own version of the CSE screening tool
//! (R2.2). Screenings already made keep the version they used; new ones use the loaded one.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use safehub_domain::screening::ScreeningTool;
use safehub_store::audit::{self, RecordKind};
use safehub_store::screenings;
use safehub_store::{AuditAction, AuditOutcome, NewAuditEntry, Store};

/// Screening tool commands.
#[derive(Subcommand)]
pub enum ScreeningToolCommand {
    /// Check a tool file (JSON, the shape of `crates/domain/data/screening-tool-wm-2025.json`),
    /// store it and make it the version new screenings use.
    Load {
        /// The tool file.
        file: PathBuf,
    },
    /// List the stored versions and say which one new screenings use.
    List,
}

/// Runs a screening tool command.
pub async fn run(store: &Store, cmd: ScreeningToolCommand) -> Result<()> {
    match cmd {
        ScreeningToolCommand::Load { file } => {
            let body = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let tool = ScreeningTool::from_json(&body)
                .with_context(|| format!("{} is not a valid screening tool", file.display()))?;
            let version = tool.version().to_owned();
            if let Some(stored) = store.screening_tool(&version).await? {
                anyhow::ensure!(
                    stored == body,
                    "version {version:?} is already stored with different contents; give the \
                     new tool its own version"
                );
            }
            let mut tx = store.begin().await?;
            screenings::ensure_tool(&mut tx, &version, &body, None).await?;
            screenings::make_tool_current(&mut tx, &version).await?;
            audit::append(
                &mut tx,
                &[NewAuditEntry {
                    actor_user: None,
                    actor_role: "system".to_owned(),
                    actor_agency: None,
                    action: AuditAction::Change,
                    record_kind: RecordKind::ScreeningTool,
                    record_id: Some(version.clone()),
                    outcome: AuditOutcome::Allowed,
                    policies: String::new(),
                    client: "cli".to_owned(),
                    detail: serde_json::json!({
                        "made_current": version,
                        "indicators": tool.indicator_count(),
                    }),
                }],
            )
            .await?;
            tx.commit().await?;
            println!(
                "Loaded screening tool {version} ({} indicators); new screenings use it.",
                tool.indicator_count()
            );
        }
        ScreeningToolCommand::List => {
            for (version, loaded_at, current) in store.screening_tools().await? {
                let when = jiff::Timestamp::from_millisecond(loaded_at)
                    .map(|t| t.to_string())
                    .unwrap_or_default();
                let mark = if current { " (current)" } else { "" };
                println!("{version}{mark}  loaded {when}");
            }
        }
    }
    Ok(())
}
