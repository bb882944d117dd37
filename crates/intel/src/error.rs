//! The engine's error type. Every error about input names where it happened: the 1-based
//! data row (the header is row 0) and the column, so that an analyst can fix the file.

/// An error from the intelligence engine.
#[derive(Debug, thiserror::Error)]
pub enum IntelError {
    /// The input had no header or no data rows.
    #[error("the input is empty: {0}")]
    Empty(String),
    /// A required column is missing from the header.
    #[error("the input has no `{column}` column (found: {found})")]
    MissingColumn {
        /// The column that is required.
        column: String,
        /// The columns that were found, comma-separated.
        found: String,
    },
    /// A value that cannot be used, in a row and column.
    #[error("row {row}, column `{column}`: {message}")]
    BadValue {
        /// 1-based data row (the header is row 0).
        row: u64,
        /// Column name as written in the header.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// A row that is not valid CSV (for example the wrong number of fields).
    #[error("row {row}: malformed CSV: {message}")]
    Malformed {
        /// 1-based data row (the header is row 0).
        row: u64,
        /// What the CSV reader reported.
        message: String,
    },
    /// An option out of range (for example a cell size of zero metres).
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// Reading or writing failed.
    #[error("input/output: {0}")]
    Io(String),
}

impl IntelError {
    /// Converts a CSV reader error into an error naming the data row.
    pub(crate) fn from_csv(err: &csv::Error) -> IntelError {
        IntelError::from_csv_after(err, 0)
    }

    /// [`IntelError::from_csv`] for a reader that started `lines_before` lines into the file.
    pub(crate) fn from_csv_after(err: &csv::Error, lines_before: u64) -> IntelError {
        let row = err
            .position()
            .map(|p| (p.line() + lines_before).saturating_sub(1))
            .unwrap_or(0);
        match err.kind() {
            csv::ErrorKind::Io(e) => IntelError::Io(e.to_string()),
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => IntelError::Malformed {
                row,
                message: format!("expected {expected_len} fields, found {len}"),
            },
            csv::ErrorKind::Utf8 { err, .. } => IntelError::Malformed {
                row,
                message: format!("not valid UTF-8 in field {}", err.field() + 1),
            },
            _ => IntelError::Malformed {
                row,
                message: err.to_string(),
            },
        }
    }
}
