//! Reading the input of `safehub link`: a `unique_id` column and any of the contract's
//! columns, every value normalised on the way in.
//!
//! A large file is read whole, cut at record boundaries into one piece per core, and each
//! piece is parsed and normalised into its own [`Table`] on its own thread; the tables are
//! then appended in order. Errors name the same data row and column as reading the file
//! from the top would: rows are numbered across pieces, and an error in an earlier piece
//! is reported before one in a later piece.
//!
//! Within a piece, rows are normalised a chunk at a time, column by column, and each
//! distinct written value of a column is normalised once: a million rows of names hold a
//! few thousand names (decision 16).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::rc::Rc;

use crate::error::IntelError;
use crate::hashing::{FastBuild, hash_of, probe};
use crate::linkage::candidates::{joined, threads};
use crate::linkage::mention::is_missing;
use crate::linkage::table::{COLUMNS, MISSING};
use crate::linkage::{Field, Mention, Table};

/// Values that were present but unusable in one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValues {
    /// The column.
    pub column: String,
    /// How many rows had an unusable value there.
    pub count: usize,
    /// The first such row (1-based data row).
    pub first_row: u64,
    /// Why the first one was unusable.
    pub reason: String,
}

/// What was read from a link input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadReport {
    /// Data rows read.
    pub rows: usize,
    /// Columns used for linking.
    pub used_columns: Vec<String>,
    /// Columns ignored (not in the contract).
    pub ignored_columns: Vec<String>,
    /// Unusable values per column, left out of the comparison.
    pub invalid_values: Vec<InvalidValues>,
}

/// Below this many bytes a file is read as one piece.
const PIECE_BYTES: usize = 1 << 20;

/// Where the values are, from the header.
struct Columns {
    id: usize,
    /// Column position, field and header name; a full name comes last, so that it only
    /// fills given name and surname when those columns are empty.
    fields: Vec<(usize, Field, String)>,
    width: usize,
}

impl Columns {
    fn of(headers: &csv::StringRecord, report: &mut ReadReport) -> Result<Columns, IntelError> {
        if headers.is_empty() || (headers.len() == 1 && headers[0].trim().is_empty()) {
            return Err(IntelError::Empty("no header row".into()));
        }
        let mut id = None;
        let mut fields = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let name = h.trim();
            if name.eq_ignore_ascii_case("unique_id") {
                id = Some(i);
            } else if let Some(f) = Field::from_column(name) {
                fields.push((i, f, name.to_owned()));
                report.used_columns.push(name.to_owned());
            } else {
                report.ignored_columns.push(name.to_owned());
            }
        }
        let Some(id) = id else {
            return Err(IntelError::MissingColumn {
                column: "unique_id".into(),
                found: headers.iter().map(str::trim).collect::<Vec<_>>().join(","),
            });
        };
        fields.sort_by_key(|(_, f, _)| *f == Field::FullName);
        Ok(Columns {
            id,
            fields,
            width: headers.len(),
        })
    }
}

/// What one piece of the rows gave: its row count and unusable values (rows numbered
/// within the piece).
#[derive(Default)]
struct Piece {
    rows: u64,
    invalid: BTreeMap<String, InvalidValues>,
}

/// An error in a piece: a CSV error already placed in the file (by line), or a bad value in
/// the piece's `row`th row.
enum PieceError {
    Placed(IntelError),
    Row { row: u64, message: String },
}

impl PieceError {
    fn in_file(self, rows_before: u64) -> IntelError {
        match self {
            PieceError::Placed(e) => e,
            PieceError::Row { row, message } => IntelError::BadValue {
                row: rows_before + row,
                column: "unique_id".into(),
                message,
            },
        }
    }
}

/// What one written value of a column gives.
#[derive(Clone)]
enum Outcome {
    /// A value meaning "not known" (empty, `n/a`): nothing is filled.
    Missing,
    /// The value numbers of the normalised value, one per comparison the field fills
    /// ([`MISSING`] where normalising left nothing).
    Values([u32; 2]),
    /// Present but unusable, and why.
    Unusable(Rc<str>),
}

/// Normalises one written value of a field into `table`.
fn normalise(table: &mut Table, field: Field, raw: &str) -> Outcome {
    if is_missing(raw) {
        return Outcome::Missing;
    }
    let mut m = Mention::default();
    if let Err(reason) = m.set(field, raw) {
        return Outcome::Unusable(reason.into());
    }
    let cells = table.intern(&m);
    let mut values = [MISSING; 2];
    for (value, c) in values.iter_mut().zip(field.comparisons()) {
        *value = cells[*c as usize];
    }
    Outcome::Values(values)
}

/// Look-ups a column gets before it is judged on how often its values repeat.
const TRIAL: u32 = 4096;

/// The outcomes of one column's distinct written values. A million rows of names hold a
/// few thousand distinct values, each normalised once; a column whose values rarely
/// repeat (phone numbers) stops remembering after a trial, as looking up would only add
/// to normalising. The written values are kept end to end in one buffer, so that a
/// look-up reads memory close to the last one.
struct Remembered {
    /// Entry by hash of the written value (probed on a collision).
    index: HashMap<u64, u32, FastBuild>,
    /// Each entry's written value, as a span of `written`, and its outcome.
    entries: Vec<(usize, usize, Outcome)>,
    written: String,
    looked_up: u32,
    found: u32,
    on: bool,
}

impl Default for Remembered {
    fn default() -> Self {
        Remembered {
            index: HashMap::default(),
            entries: Vec::new(),
            written: String::new(),
            looked_up: 0,
            found: 0,
            on: true,
        }
    }
}

impl Remembered {
    /// The outcome of `raw`, from `work` the first time it is written.
    fn outcome(&mut self, raw: &str, work: impl FnOnce(&str) -> Outcome) -> Outcome {
        if !self.on || raw.is_empty() {
            return work(raw);
        }
        self.looked_up += 1;
        let mut h = hash_of(raw);
        while let Some(&e) = self.index.get(&h) {
            let (from, to, outcome) = &self.entries[e as usize];
            if &self.written[*from..*to] == raw {
                self.found += 1;
                return outcome.clone();
            }
            h = probe(h);
        }
        let outcome = work(raw);
        if self.looked_up >= TRIAL && self.found < self.looked_up / 2 {
            *self = Remembered {
                on: false,
                ..Remembered::default()
            };
        } else {
            let from = self.written.len();
            self.written.push_str(raw);
            let e = self.entries.len() as u32;
            self.entries
                .push((from, self.written.len(), outcome.clone()));
            self.index.insert(h, e);
        }
        outcome
    }
}

/// Rows normalised together, column by column.
const CHUNK: usize = 1024;

/// Reads the next record of a piece into `record`, checking its width and identifier;
/// `false` at the end of the piece.
fn next_record(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut csv::StringRecord,
    columns: &Columns,
    lines_before: u64,
    piece: &mut Piece,
) -> Result<bool, PieceError> {
    match reader.read_record(record) {
        Ok(true) => {}
        Ok(false) => return Ok(false),
        Err(e) => {
            return Err(PieceError::Placed(IntelError::from_csv_after(
                &e,
                lines_before,
            )));
        }
    }
    piece.rows += 1;
    if record.len() != columns.width {
        let line = record.position().map_or(0, |p| p.line()) + lines_before;
        return Err(PieceError::Placed(IntelError::Malformed {
            row: line.saturating_sub(1),
            message: format!("expected {} fields, found {}", columns.width, record.len()),
        }));
    }
    if record.get(columns.id).unwrap_or("").trim().is_empty() {
        return Err(PieceError::Row {
            row: piece.rows,
            message: "empty identifier".into(),
        });
    }
    Ok(true)
}

/// Parses the rows of one piece (`lines_before` lines of the file precede it) into `table`,
/// each row normalised on the way in.
fn read_piece(
    bytes: &[u8],
    columns: &Columns,
    lines_before: u64,
    table: &mut Table,
) -> Result<Piece, PieceError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut piece = Piece::default();
    let mut records = vec![csv::StringRecord::new(); CHUNK];
    let mut cells = vec![[MISSING; COLUMNS]; CHUNK];
    let mut remembered: Vec<Remembered> = columns
        .fields
        .iter()
        .map(|_| Remembered::default())
        .collect();
    loop {
        let mut read = 0;
        while read < CHUNK
            && next_record(
                &mut reader,
                &mut records[read],
                columns,
                lines_before,
                &mut piece,
            )?
        {
            read += 1;
        }
        let first_row = piece.rows + 1 - read as u64;
        let (records, cells) = (&records[..read], &mut cells[..read]);
        cells.fill([MISSING; COLUMNS]);
        // Column by column, so that one column's values stay in the cache.
        for ((col, field, name), seen) in columns.fields.iter().zip(&mut remembered) {
            for (k, (record, cells)) in records.iter().zip(cells.iter_mut()).enumerate() {
                let raw = record.get(*col).unwrap_or("");
                match seen.outcome(raw, |raw| normalise(table, *field, raw)) {
                    Outcome::Missing => {}
                    Outcome::Values(values) => {
                        for (c, value) in field.comparisons().iter().zip(values) {
                            let cell = &mut cells[*c as usize];
                            // A full name fills only what the name columns left empty.
                            if *field != Field::FullName || *cell == MISSING {
                                *cell = value;
                            }
                        }
                    }
                    Outcome::Unusable(reason) => {
                        piece
                            .invalid
                            .entry(name.clone())
                            .and_modify(|v| v.count += 1)
                            .or_insert_with(|| InvalidValues {
                                column: name.clone(),
                                count: 1,
                                first_row: first_row + k as u64,
                                reason: reason.to_string(),
                            });
                    }
                }
            }
        }
        for (record, cells) in records.iter().zip(cells.iter()) {
            table.push_cells(record.get(columns.id).unwrap_or("").trim(), *cells);
        }
        if read < CHUNK {
            break;
        }
    }
    Ok(piece)
}

/// Where a CSV reader is within a record, as far as finding record ends needs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Within {
    /// At the start of a field.
    FieldStart,
    /// In a field that did not start with a quote (a quote in it is an ordinary character).
    Unquoted,
    /// In a quoted field (a newline in it is part of the value).
    Quoted,
    /// Just after a quote in a quoted field: a second quote is an escaped quote; anything
    /// else ends the quoting.
    QuoteInQuoted,
}

impl Within {
    /// The state after byte `b`, and whether `b` ends a record. The same reading as the
    /// `csv` crate's default dialect: comma, double quote, `\r`, `\n` or `\r\n`.
    fn next(self, b: u8) -> (Within, bool) {
        match (self, b) {
            (Within::Quoted, b'"') => (Within::QuoteInQuoted, false),
            (Within::Quoted, _) => (Within::Quoted, false),
            (Within::QuoteInQuoted, b'"') => (Within::Quoted, false),
            (_, b',') => (Within::FieldStart, false),
            (_, b'\n' | b'\r') => (Within::FieldStart, true),
            (Within::FieldStart, b'"') => (Within::Quoted, false),
            _ => (Within::Unquoted, false),
        }
    }
}

/// Cuts `bytes[start..]` into about `pieces` pieces at record ends (a newline outside a
/// quoted field), each with the number of lines before it.
fn cut(bytes: &[u8], start: usize, pieces: usize) -> Vec<(usize, usize, u64)> {
    let lines_at_start = bytes[..start].iter().filter(|&&b| b == b'\n').count() as u64;
    let body = bytes.len() - start;
    if pieces <= 1 || body < PIECE_BYTES {
        return vec![(start, bytes.len(), lines_at_start)];
    }
    let step = body / pieces;
    let mut out = Vec::with_capacity(pieces);
    let (mut from, mut lines_before, mut lines) = (start, lines_at_start, lines_at_start);
    let mut within = Within::FieldStart;
    for (at, &b) in bytes.iter().enumerate().skip(start) {
        let (next, record_end) = within.next(b);
        within = next;
        if b == b'\n' {
            lines += 1;
            if record_end && at + 1 - from >= step {
                out.push((from, at + 1, lines_before));
                from = at + 1;
                lines_before = lines;
                if out.len() + 1 == pieces {
                    // The last piece runs to the end; nothing after its start is needed.
                    break;
                }
            }
        }
    }
    out.push((from, bytes.len(), lines_before));
    out
}

/// Reads the header, returning the columns and where the rows begin.
fn header(bytes: &[u8], report: &mut ReadReport) -> Result<(Columns, usize), IntelError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| IntelError::from_csv(&e))?
        .clone();
    let columns = Columns::of(&headers, report)?;
    let start = usize::try_from(reader.position().byte()).unwrap_or(bytes.len());
    Ok((columns, start.min(bytes.len())))
}

fn read_all(mut input: impl Read) -> Result<Vec<u8>, IntelError> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| IntelError::Io(e.to_string()))?;
    Ok(bytes)
}

/// Gathers the pieces' row counts and unusable values in file order, or the first error.
fn gather(
    pieces: Vec<Result<Piece, PieceError>>,
    mut report: ReadReport,
) -> Result<ReadReport, IntelError> {
    let mut rows = 0u64;
    let mut invalid: BTreeMap<String, InvalidValues> = BTreeMap::new();
    for piece in pieces {
        let piece = piece.map_err(|e| e.in_file(rows))?;
        for (column, v) in piece.invalid {
            invalid
                .entry(column)
                .and_modify(|w| w.count += v.count)
                .or_insert(InvalidValues {
                    first_row: rows + v.first_row,
                    ..v
                });
        }
        rows += piece.rows;
    }
    if rows == 0 {
        return Err(IntelError::Empty("no data rows".into()));
    }
    report.rows = rows as usize;
    report.invalid_values = invalid.into_values().collect();
    Ok(report)
}

/// Reads mentions from a CSV with a `unique_id` column and any contract columns
/// (`first_name, surname, nickname, full_name, dob, gender, phone, email, vrm, make, model,
/// colour, address, postcode, city, birth_place, occupation, national_id`) into a compact
/// [`Table`], on every core. Header names are trimmed and case-insensitive.
pub fn read_table(input: impl Read) -> Result<(Table, ReadReport), IntelError> {
    let bytes = read_all(input)?;
    let mut report = ReadReport::default();
    let (columns, start) = header(&bytes, &mut report)?;
    let pieces = cut(&bytes, start, threads());
    let (bytes, columns) = (&bytes, &columns);
    let read: Vec<(Table, Result<Piece, PieceError>)> = std::thread::scope(|s| {
        let workers: Vec<_> = pieces
            .iter()
            .map(|&(from, to, lines_before)| {
                s.spawn(move || {
                    let mut table = Table::new();
                    let piece = read_piece(&bytes[from..to], columns, lines_before, &mut table);
                    (table, piece)
                })
            })
            .collect();
        workers.into_iter().map(joined).collect()
    });
    let mut table: Option<Table> = None;
    let mut results = Vec::with_capacity(read.len());
    for (part, piece) in read {
        match &mut table {
            Some(table) => table.append(part),
            None => table = Some(part),
        }
        results.push(piece);
    }
    let table = table.unwrap_or_default();
    let report = gather(results, report)?;
    if let Some(row) = table.first_duplicate() {
        return Err(IntelError::BadValue {
            row: row as u64 + 1,
            column: "unique_id".into(),
            message: format!("duplicate identifier {:?}", table.id(row)),
        });
    }
    Ok((table, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> String {
        let mut s = String::from("unique_id,first_name,dob,note\n");
        for i in 0..n {
            s.push_str(&format!(
                "m{i},\"Ann, {}\",2001-01-{:02},\"a\nb\"\n",
                i % 7,
                1 + i % 28
            ));
        }
        s
    }

    // Issue 4 (bad input): a file read in pieces numbers its rows as one file does.
    #[test]
    fn pieces_cut_at_records_and_number_rows_across() {
        let text = rows(60_000);
        let bytes = text.as_bytes();
        let mut report = ReadReport::default();
        let (_, start) = header(bytes, &mut report).expect("header");
        let pieces = cut(bytes, start, 3);
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces[0].2, 1);
        for w in pieces.windows(2) {
            assert_eq!(w[0].1, w[1].0);
            // Each record spans two lines (a quoted newline in the note).
            assert_eq!((w[1].2 - 1) % 2, 0);
            assert!(text[w[1].0..].starts_with('m'), "cut inside a record");
        }
        let (table, report) = read_table(bytes).expect("reads");
        assert_eq!(report.rows, 60_000);
        assert_eq!(table.len(), 60_000);
        assert_eq!(table.id(59_999), "m59999");
        assert_eq!(report.ignored_columns, vec!["note"]);
        // A bad date in the last piece is reported with its row in the file.
        let bad = text.replace(
            "m59000,\"Ann, 4\",2001-01-05",
            "m59000,\"Ann, 4\",2001-02-30",
        );
        let (_, report) = read_table(bad.as_bytes()).expect("reads");
        assert_eq!(report.invalid_values.len(), 1);
        assert_eq!(report.invalid_values[0].first_row, 59_001);
        // So is a duplicate identifier, and a short row by its line.
        let dup = text.replace("m59000,", "m12,");
        let err = read_table(dup.as_bytes()).expect_err("duplicate");
        assert!(
            matches!(&err, IntelError::BadValue { row: 59_001, .. }),
            "{err:?}"
        );
        let short = text.replace("m59000,\"Ann, 4\",2001-01-05,", "m59000,\"Ann, 4\",");
        let err = read_table(short.as_bytes()).expect_err("short row");
        assert!(
            matches!(&err, IntelError::Malformed { row, .. } if *row == 2 * 59_000 + 1),
            "{err:?}"
        );
    }

    // Issue 4 (bad input): each written value is normalised once and its outcome
    // remembered (a column whose values rarely repeat stops remembering); what reading
    // gives is what normalising every row on its own gives, unusable values counted from
    // their first row.
    #[test]
    fn remembered_values_read_as_rows_normalised_one_by_one() {
        let firsts = ["Jay", " jay", "JAMAL", "", "n/a", "Ann-Marie"];
        let fulls = ["Mr Jamal Reid", "", "\"Reid, Jay\"", "unknown", "Bob Smith"];
        let surnames = ["", "Reid", "O'Neil"];
        let dobs = ["2001-02-30", "2001-05-06", "", "06/05/2001", "soon"];
        let colours = ["grey", "Gray", "", "sky blue"];
        let mut text =
            String::from("unique_id,full_name,first_name,surname,dob,phone,postcode,colour\n");
        for i in 0..20_000usize {
            let phone = match i % 7 {
                0 => "not a phone".to_owned(),
                1 => String::new(),
                _ => format!("07700 9{i:05}"),
            };
            text.push_str(&format!(
                "m{i},{},{},{},{},{phone},B{} {}AA,{}\n",
                fulls[i % 5],
                firsts[i % 6],
                surnames[i % 3],
                dobs[i % 5],
                i % 90,
                i % 9,
                colours[i % 4],
            ));
        }
        let (table, report) = read_table(text.as_bytes()).expect("reads");
        assert_eq!(table.len(), 20_000);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().expect("header").clone();
        // As the reader applies them: the full name last, filling only what is empty.
        let mut order: Vec<(usize, Field)> = (1..headers.len())
            .map(|c| (c, Field::from_column(&headers[c]).expect("contract column")))
            .collect();
        order.sort_by_key(|(_, f)| *f == Field::FullName);
        let mut invalid: BTreeMap<&str, (usize, u64)> = BTreeMap::new();
        for (row, record) in reader.records().enumerate() {
            let record = record.expect("record");
            let mut m = Mention::new(&record[0]);
            for &(c, field) in &order {
                if m.set(field, &record[c]).is_err() {
                    invalid.entry(&headers[c]).or_insert((0, row as u64 + 1)).0 += 1;
                }
            }
            assert_eq!(table.mention(row), m, "row {}", row + 1);
        }
        let reported: BTreeMap<&str, (usize, u64)> = report
            .invalid_values
            .iter()
            .map(|v| (v.column.as_str(), (v.count, v.first_row)))
            .collect();
        assert_eq!(reported, invalid);
        assert_eq!(reported["dob"], (8_000, 1));
        assert_eq!(reported["phone"].1, 1);
    }

    // A quote inside an unquoted field (5'10") is an ordinary character: it does not start
    // quoting, so a newline in a later quoted field is still seen as inside it.
    #[test]
    fn stray_quotes_do_not_move_the_cuts() {
        let mut text = String::from("unique_id,first_name,note\n");
        for i in 0..40_000 {
            let note = if i % 3 == 0 {
                "5'10\" tall"
            } else {
                "\"seen at \"\"the yard\"\"\nnear the \r\nstation\""
            };
            text.push_str(&format!("m{i},Ann,{note}\r\n"));
        }
        let bytes = text.as_bytes();
        let mut report = ReadReport::default();
        let (_, start) = header(bytes, &mut report).expect("header");
        let pieces = cut(bytes, start, 4);
        assert_eq!(pieces.len(), 4);
        for (from, _, _) in pieces.into_iter().skip(1) {
            assert!(text[from..].starts_with('m'), "cut inside a record");
        }
        let (table, report) = read_table(bytes).expect("reads");
        assert_eq!((table.len(), report.rows), (40_000, 40_000));
        assert_eq!(table.id(39_999), "m39999");
    }
}
