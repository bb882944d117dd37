//! `safehub calendar ...`: working-day arithmetic for administrators checking a statutory
//! date (R3), on the England and Wales calendar shipped with the program.

use anyhow::{Context, Result};
use clap::Subcommand;
use jiff::civil::Date;
use safehub_domain::WorkingCalendar;

/// Calendar commands.
#[derive(Subcommand)]
pub enum CalendarCommand {
    /// The date N working days after DATE (DATE itself never counts).
    AddWorkingDays {
        /// A date, YYYY-MM-DD.
        date: String,
        /// How many working days.
        n: u32,
    },
    /// Working days after the first date up to and including the second.
    WorkingDaysBetween {
        /// The first date, YYYY-MM-DD.
        from: String,
        /// The second date, YYYY-MM-DD.
        to: String,
    },
}

fn date(text: &str) -> Result<Date> {
    text.parse()
        .with_context(|| format!("{text:?} is not a date; write it as YYYY-MM-DD"))
}

/// Runs a calendar command, printing the answer.
pub fn run(cmd: CalendarCommand) -> Result<()> {
    let calendar = WorkingCalendar::england_and_wales();
    match cmd {
        CalendarCommand::AddWorkingDays { date: d, n } => {
            let answer = calendar.add_working_days(date(&d)?, n)?;
            println!("{}", answer.strftime("%Y-%m-%d (%A)"));
        }
        CalendarCommand::WorkingDaysBetween { from, to } => {
            println!(
                "{}",
                calendar.working_days_between(date(&from)?, date(&to)?)?
            );
        }
    }
    Ok(())
}
