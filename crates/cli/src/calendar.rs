//! `safehub calendar ...`: working-day arithmetic for administrators checking a statutory
//! date (R3), on the same calendar the clocks use: the England and Wales bank holidays
//! shipped with the program and the days the region's administrators closed, read from the
//! configured database (`--shipped` leaves the database alone and uses the bank holidays
//! only).

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use jiff::civil::Date;
use safehub_domain::WorkingCalendar;

/// `safehub calendar`: which calendar, and the question.
#[derive(Args)]
pub struct CalendarArgs {
    /// Use only the shipped bank holidays, without opening the database.
    #[arg(long, global = true)]
    pub shipped: bool,
    /// The question.
    #[command(subcommand)]
    pub command: CalendarCommand,
}

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

/// Answers a calendar question on `calendar`, printing the answer to standard output and,
/// to standard error, each day in the span that is not counted only because the region
/// closed it (`closed`: the days administrators added, with their names).
pub fn run(
    cmd: CalendarCommand,
    calendar: &WorkingCalendar,
    closed: &[(Date, String)],
) -> Result<()> {
    let (from, to) = match cmd {
        CalendarCommand::AddWorkingDays { date: d, n } => {
            let from = date(&d)?;
            let answer = calendar.add_working_days(from, n)?;
            println!("{}", answer.strftime("%Y-%m-%d (%A)"));
            (from, answer)
        }
        CalendarCommand::WorkingDaysBetween { from, to } => {
            let (from, to) = (date(&from)?, date(&to)?);
            println!("{}", calendar.working_days_between(from, to)?);
            (from, to)
        }
    };
    let (first, last) = (from.min(to), from.max(to));
    let shipped = WorkingCalendar::england_and_wales();
    for (day, name) in closed {
        if first < *day && *day <= last && matches!(shipped.is_working_day(*day), Ok(true)) {
            eprintln!(
                "not counted: {}, closed by the region ({name})",
                day.strftime("%Y-%m-%d (%A)")
            );
        }
    }
    Ok(())
}
