//! A compact store of many mentions: every distinct normalised value is kept once, and each
//! mention is a row of value numbers, one per comparison.
//!
//! A million mentions held as [`Mention`]s take most of a gigabyte (a string per field); as
//! a table they take a tenth of that, and two mentions agree exactly on a field when their
//! numbers are equal, so most comparisons never look at the text. A row is read through
//! [`Fields`], so comparison and blocking are the same code for a table row and a mention.

mod dict;
mod ids;
mod key_parts;

use std::borrow::Cow;
use std::sync::OnceLock;

use super::blocking::Part;
use super::candidates::{joined, threads};
use super::compare::Comparison;
use super::mention::{Fields, Mention};
use crate::normalise::{Colour, Date, Postcode, Vrm, nysiis, soundex};
use dict::Dict;
use ids::Ids;
use key_parts::KeyParts;

/// Value number of a missing value.
pub const MISSING: u32 = u32::MAX;

/// Columns of a row: one per [`Comparison`], in the same order (`Comparison as usize`).
pub const COLUMNS: usize = 17;

/// Where given names, surnames and nicknames are numbered: one dictionary for the three, so
/// that a given name can be compared with a surname or a nickname by number.
const NAMES: usize = Comparison::FirstName as usize;

/// The dictionary of a text column.
fn dict_of(c: Comparison) -> usize {
    match c {
        Comparison::FirstName | Comparison::Surname | Comparison::Nickname => NAMES,
        _ => c as usize,
    }
}

/// Text of a string column held once per distinct value.
type Text = Box<str>;

/// Many mentions, held compactly.
#[derive(Debug)]
pub struct Table {
    /// `unique_id`s, in row order.
    ids: Ids,
    /// `COLUMNS` value numbers per row.
    cells: Vec<u32>,
    /// Distinct texts of each string column (unused for the others).
    texts: Vec<Dict<Text>>,
    dates: Dict<Date>,
    vrms: Dict<Vrm>,
    colours: Dict<Colour>,
    postcodes: Dict<Postcode>,
    /// Phonetic codes by name number: NYSIIS and Soundex, each computed once per distinct
    /// name.
    name_nysiis: Vec<Text>,
    name_soundex: Vec<Text>,
    /// Rows with a value, per column.
    filled: [usize; COLUMNS],
    /// Blocking key parts of every distinct value, made when first asked for.
    key_parts: OnceLock<KeyParts>,
}

/// The index of a value number, `None` for [`MISSING`].
fn value_index(v: u32) -> Option<usize> {
    (v != MISSING).then_some(v as usize)
}

/// One row of a [`Table`], read as a mention.
#[derive(Debug, Clone, Copy)]
pub struct Row<'t> {
    table: &'t Table,
    row: usize,
}

impl Table {
    /// An empty table.
    pub fn new() -> Table {
        Table {
            ids: Ids::default(),
            cells: Vec::new(),
            texts: (0..COLUMNS).map(|_| Dict::default()).collect(),
            dates: Dict::default(),
            vrms: Dict::default(),
            colours: Dict::default(),
            postcodes: Dict::default(),
            name_nysiis: Vec::new(),
            name_soundex: Vec::new(),
            filled: [0; COLUMNS],
            key_parts: OnceLock::new(),
        }
    }

    /// A table of the mentions, in order.
    pub fn from_mentions(mentions: &[Mention]) -> Table {
        let mut table = Table::new();
        for m in mentions {
            table.push(m);
        }
        table
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.ids.len() == 0
    }

    /// The first row whose `unique_id` an earlier row already has.
    pub fn first_duplicate(&self) -> Option<usize> {
        self.ids.index().duplicate.map(|r| r as usize)
    }

    /// Adds the rows of `other` after these, in order.
    pub fn append(&mut self, other: Table) {
        let Table {
            ids,
            cells,
            texts,
            dates,
            vrms,
            colours,
            postcodes,
            name_nysiis,
            name_soundex,
            filled,
            ..
        } = other;
        // Each column's values are taken in on a thread of its own.
        let mut maps: Vec<Vec<u32>> = std::thread::scope(|s| {
            let mut names = None;
            let mut workers = Vec::new();
            for (c, (ours, theirs)) in self.texts.iter_mut().zip(texts).enumerate() {
                if c == NAMES {
                    names = Some((ours, theirs));
                } else {
                    workers.push((c, s.spawn(move || ours.absorb(theirs, |_| {}))));
                }
            }
            let dob = s.spawn(|| self.dates.absorb(dates, |_| {}));
            let vrm = s.spawn(|| self.vrms.absorb(vrms, |_| {}));
            let colour = s.spawn(|| self.colours.absorb(colours, |_| {}));
            let postcode = s.spawn(|| self.postcodes.absorb(postcodes, |_| {}));
            let mut maps = vec![Vec::new(); COLUMNS];
            if let Some((ours, theirs)) = names {
                let (nysiis, soundex) = (&mut self.name_nysiis, &mut self.name_soundex);
                let mut codes = name_nysiis.into_iter().zip(name_soundex);
                maps[NAMES] = ours.absorb(theirs, |new| {
                    // Codes come in the order of the values; a value already held skips its.
                    let (n, x) = codes.nth(new.skipped).unwrap_or_default();
                    nysiis.push(n);
                    soundex.push(x);
                });
            }
            for (c, w) in workers {
                maps[c] = joined(w);
            }
            maps[Comparison::Dob as usize] = joined(dob);
            maps[Comparison::Vrm as usize] = joined(vrm);
            maps[Comparison::Colour as usize] = joined(colour);
            maps[Comparison::Postcode as usize] = joined(postcode);
            maps
        });
        maps[Comparison::Surname as usize] = maps[NAMES].clone();
        maps[Comparison::Nickname as usize] = maps[NAMES].clone();
        let start = self.cells.len();
        self.cells.resize(start + cells.len(), MISSING);
        let rows_per_part = (cells.len() / COLUMNS).div_ceil(threads()).max(1);
        let maps = &maps;
        std::thread::scope(|s| {
            for (to, from) in self.cells[start..]
                .chunks_mut(rows_per_part * COLUMNS)
                .zip(cells.chunks(rows_per_part * COLUMNS))
            {
                s.spawn(move || {
                    for (k, (to, &v)) in to.iter_mut().zip(from).enumerate() {
                        if v != MISSING {
                            *to = maps[k % COLUMNS][v as usize];
                        }
                    }
                });
            }
        });
        for (c, n) in filled.iter().enumerate() {
            self.filled[c] += n;
        }
        self.ids.append(&ids);
        self.key_parts = OnceLock::new();
    }

    /// Adds a mention as the next row.
    pub fn push(&mut self, m: &Mention) {
        let cells = self.intern(m);
        self.push_cells(&m.id, cells);
    }

    /// The value numbers of a mention's values, one per column ([`MISSING`] where it has
    /// none), adding the values this table does not hold yet. No row is added.
    pub(crate) fn intern(&mut self, m: &Mention) -> [u32; COLUMNS] {
        let mut cells = [MISSING; COLUMNS];
        let mut text = |c: Comparison, v: Option<&str>| {
            if let Some(v) = v {
                cells[c as usize] =
                    self.texts[dict_of(c)].intern_borrowed(v, |t: &str| Text::from(t));
            }
        };
        text(Comparison::FirstName, m.first_name());
        text(Comparison::Surname, m.surname());
        text(Comparison::Nickname, m.nickname());
        text(Comparison::Gender, m.gender());
        text(Comparison::Phone, m.phone());
        text(Comparison::Email, m.email());
        text(Comparison::Make, m.make());
        text(Comparison::Model, m.model());
        text(Comparison::Address, m.address());
        text(Comparison::City, m.city());
        text(Comparison::BirthPlace, m.birth_place());
        text(Comparison::Occupation, m.occupation());
        text(Comparison::NationalId, m.national_id());
        while self.name_nysiis.len() < self.texts[NAMES].values.len() {
            let name = &self.texts[NAMES].values[self.name_nysiis.len()];
            self.name_nysiis.push(nysiis(name).into());
            self.name_soundex.push(soundex(name).into());
        }
        if let Some(d) = &m.dob {
            cells[Comparison::Dob as usize] = self.dates.intern(d);
        }
        if let Some(v) = &m.vrm {
            cells[Comparison::Vrm as usize] = self.vrms.intern(v);
        }
        if let Some(c) = &m.colour {
            cells[Comparison::Colour as usize] = self.colours.intern(c);
        }
        if let Some(p) = &m.postcode {
            cells[Comparison::Postcode as usize] = self.postcodes.intern(p);
        }
        cells
    }

    /// Adds a row of value numbers that [`Table::intern`] gave, with its `unique_id`.
    pub(crate) fn push_cells(&mut self, id: &str, cells: [u32; COLUMNS]) {
        self.ids.push(id);
        self.key_parts.take();
        for (c, &v) in cells.iter().enumerate() {
            if v != MISSING {
                self.filled[c] += 1;
            }
        }
        self.cells.extend_from_slice(&cells);
    }

    /// The blocking key parts of every distinct value, hashed on every core when first
    /// asked for.
    fn key_parts(&self) -> &KeyParts {
        self.key_parts.get_or_init(|| KeyParts::of(self))
    }

    /// The row of a `unique_id` (the first, should it repeat).
    pub fn position(&self, id: &str) -> Option<u32> {
        self.ids.position(id)
    }

    /// The `unique_id` of a row.
    pub fn id(&self, row: usize) -> &str {
        self.ids.get(row)
    }

    /// A row, read as a mention.
    pub fn row(&self, row: usize) -> Row<'_> {
        Row { table: self, row }
    }

    /// A given name, surname or nickname by its number.
    pub fn name(&self, number: u32) -> &str {
        self.texts[NAMES].get(number).map_or("", |t| &**t)
    }

    /// The value number of a row in a column ([`MISSING`] when it has none).
    #[inline]
    pub fn cell(&self, row: usize, column: usize) -> u32 {
        self.cells[row * COLUMNS + column]
    }

    /// Rows with a value in the column of a comparison.
    pub fn filled(&self, c: Comparison) -> usize {
        self.filled[c as usize]
    }

    /// Number of distinct values in the column of a comparison.
    pub fn distinct(&self, c: Comparison) -> usize {
        match c {
            Comparison::Dob => self.dates.values.len(),
            Comparison::Vrm => self.vrms.values.len(),
            Comparison::Colour => self.colours.values.len(),
            Comparison::Postcode => self.postcodes.values.len(),
            _ => self.texts[dict_of(c)].values.len(),
        }
    }

    /// The value number a mention's value has in this table, if the table holds it.
    pub fn value_of<M: Fields + ?Sized>(&self, c: Comparison, m: &M) -> Option<u32> {
        match c {
            Comparison::Dob => self.dates.find(&m.dob()?),
            Comparison::Vrm => self.vrms.find(m.vrm()?),
            Comparison::Colour => self.colours.find(m.colour()?),
            Comparison::Postcode => self.postcodes.find(m.postcode()?),
            _ => {
                let v = super::compare::text_value(c, m)?;
                self.texts[dict_of(c)].find(v)
            }
        }
    }

    /// A row as a free-standing [`Mention`].
    pub fn mention(&self, row: usize) -> Mention {
        let r = self.row(row);
        let own = |v: Option<&str>| v.map(str::to_owned);
        Mention {
            id: self.ids.get(row).to_owned(),
            first_name: own(r.first_name()),
            surname: own(r.surname()),
            nickname: own(r.nickname()),
            dob: r.dob(),
            gender: own(r.gender()),
            phone: own(r.phone()),
            email: own(r.email()),
            vrm: r.vrm().cloned(),
            make: own(r.make()),
            model: own(r.model()),
            colour: r.colour().cloned(),
            address: own(r.address()),
            postcode: r.postcode().cloned(),
            city: own(r.city()),
            birth_place: own(r.birth_place()),
            occupation: own(r.occupation()),
            national_id: own(r.national_id()),
        }
    }
}

impl Default for Table {
    fn default() -> Self {
        Table::new()
    }
}

impl Row<'_> {
    fn text(&self, c: Comparison) -> Option<&str> {
        let id = self.table.cell(self.row, c as usize);
        self.table.texts[dict_of(c)].get(id).map(|t| &**t)
    }

    fn id(&self, c: Comparison) -> u32 {
        self.table.cell(self.row, c as usize)
    }
}

impl Fields for Row<'_> {
    fn first_name(&self) -> Option<&str> {
        self.text(Comparison::FirstName)
    }
    fn surname(&self) -> Option<&str> {
        self.text(Comparison::Surname)
    }
    fn nickname(&self) -> Option<&str> {
        self.text(Comparison::Nickname)
    }
    fn dob(&self) -> Option<Date> {
        self.table.dates.get(self.id(Comparison::Dob)).copied()
    }
    fn gender(&self) -> Option<&str> {
        self.text(Comparison::Gender)
    }
    fn phone(&self) -> Option<&str> {
        self.text(Comparison::Phone)
    }
    fn email(&self) -> Option<&str> {
        self.text(Comparison::Email)
    }
    fn vrm(&self) -> Option<&Vrm> {
        self.table.vrms.get(self.id(Comparison::Vrm))
    }
    fn make(&self) -> Option<&str> {
        self.text(Comparison::Make)
    }
    fn model(&self) -> Option<&str> {
        self.text(Comparison::Model)
    }
    fn colour(&self) -> Option<&Colour> {
        self.table.colours.get(self.id(Comparison::Colour))
    }
    fn address(&self) -> Option<&str> {
        self.text(Comparison::Address)
    }
    fn postcode(&self) -> Option<&Postcode> {
        self.table.postcodes.get(self.id(Comparison::Postcode))
    }
    fn city(&self) -> Option<&str> {
        self.text(Comparison::City)
    }
    fn birth_place(&self) -> Option<&str> {
        self.text(Comparison::BirthPlace)
    }
    fn occupation(&self) -> Option<&str> {
        self.text(Comparison::Occupation)
    }
    fn national_id(&self) -> Option<&str> {
        self.text(Comparison::NationalId)
    }
    fn first_name_nysiis(&self) -> Option<Cow<'_, str>> {
        let codes = &self.table.name_nysiis;
        codes
            .get(self.id(Comparison::FirstName) as usize)
            .map(|c| Cow::Borrowed(&**c))
    }
    fn surname_nysiis(&self) -> Option<Cow<'_, str>> {
        let codes = &self.table.name_nysiis;
        codes
            .get(self.id(Comparison::Surname) as usize)
            .map(|c| Cow::Borrowed(&**c))
    }
    fn key_part(&self, part: Part) -> Option<u64> {
        let k = self.table.key_parts();
        let value = |c: Comparison| value_index(self.id(c));
        let name = |c: Comparison, which: usize| Some(k.names[value(c)?][which]);
        match part {
            Part::FirstName => name(Comparison::FirstName, 0),
            Part::FirstInitial => name(Comparison::FirstName, 1),
            Part::FirstNysiis => name(Comparison::FirstName, 2),
            Part::Surname => name(Comparison::Surname, 0),
            Part::SurnameInitial => name(Comparison::Surname, 1),
            Part::SurnameNysiis => name(Comparison::Surname, 2),
            Part::SurnameSoundex => name(Comparison::Surname, 3),
            Part::Nickname => name(Comparison::Nickname, 0),
            Part::Dob => Some(k.dates[value(Comparison::Dob)?]),
            Part::Postcode => Some(k.postcodes[value(Comparison::Postcode)?]),
            Part::Phone => Some(k.texts[Comparison::Phone as usize][value(Comparison::Phone)?]),
            Part::Email => Some(k.texts[Comparison::Email as usize][value(Comparison::Email)?]),
            Part::EmailUser => Some(k.email_users[value(Comparison::Email)?]),
            Part::NationalId => {
                Some(k.texts[Comparison::NationalId as usize][value(Comparison::NationalId)?])
            }
            Part::Address => {
                Some(k.texts[Comparison::Address as usize][value(Comparison::Address)?])
            }
        }
    }
    fn plate_keys(&self, keys: &mut Vec<u64>) {
        if let Some(v) = value_index(self.id(Comparison::Vrm)) {
            let k = self.table.key_parts();
            let (from, to) = (k.plate_starts[v], k.plate_starts[v + 1]);
            keys.extend_from_slice(&k.plate_keys[from as usize..to as usize]);
        }
    }
    fn surname_soundex(&self) -> Option<Cow<'_, str>> {
        let codes = &self.table.name_soundex;
        codes
            .get(self.id(Comparison::Surname) as usize)
            .map(|c| Cow::Borrowed(&**c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::compare::{NameLevels, SPECS, compare, compare_rows, compare_rows_with};
    use crate::linkage::mention::Field;

    use crate::linkage::mention::written as mention;

    // R5.2: a table holds each value once and gives back the mentions it was given.
    #[test]
    fn rows_round_trip_and_share_values() {
        let ms = vec![
            mention(
                "a",
                &[
                    (Field::FirstName, "Jamal"),
                    (Field::Phone, "07700 900123"),
                    (Field::Vrm, "AB12 C?E"),
                    (Field::Postcode, "b1 1aa"),
                    (Field::Colour, "gray"),
                    (Field::Dob, "2001-05-06"),
                ],
            ),
            mention(
                "b",
                &[(Field::FirstName, "JAMAL"), (Field::Phone, "+447700900123")],
            ),
            mention("c", &[]),
        ];
        let table = Table::from_mentions(&ms);
        assert_eq!(table.len(), 3);
        for (i, m) in ms.iter().enumerate() {
            assert_eq!(&table.mention(i), m);
        }
        let phone = Comparison::Phone as usize;
        assert_eq!(table.cell(0, phone), table.cell(1, phone));
        assert_eq!(table.cell(2, phone), MISSING);
        assert_eq!(table.distinct(Comparison::FirstName), 1);
        assert_eq!(table.filled(Comparison::FirstName), 2);
        assert_eq!(table.position("b"), Some(1));
        assert_eq!(table.position("z"), None);
        assert_eq!(table.value_of(Comparison::Phone, &ms[1]), Some(0));
        let other = mention("x", &[(Field::Phone, "07700 900999")]);
        assert_eq!(table.value_of(Comparison::Phone, &other), None);
        // A row compares and blocks exactly as the mention it came from.
        assert_eq!(
            crate::linkage::blocking::blocking_keys(&table.row(0)),
            crate::linkage::blocking::blocking_keys(&ms[0])
        );
        assert_eq!(table.row(0).surname_soundex(), None);
        assert_eq!(table.row(1).first_name_nysiis(), ms[1].first_name_nysiis());
        for s in SPECS {
            assert_eq!(
                compare(s.comparison, &table.row(0), &table.row(1)),
                compare(s.comparison, &ms[0], &ms[1]),
                "{}",
                s.name
            );
        }
    }

    // R5.2: tables read in pieces and appended are the table read whole.
    #[test]
    fn appended_tables_are_one_table() {
        let ms: Vec<Mention> = (0..40)
            .map(|i| {
                mention(
                    &format!("m{i}"),
                    &[
                        (Field::FirstName, ["Jamal", "Jay", "Ann"][i % 3]),
                        (Field::Surname, ["Reid", "Khan"][i % 2]),
                        (Field::Dob, &format!("2001-05-{:02}", 1 + i % 5)),
                        (Field::Vrm, ["AB12CDE", "AB1?CDE"][i % 2]),
                        (Field::Postcode, "B1 1AA"),
                    ],
                )
            })
            .collect();
        let whole = Table::from_mentions(&ms);
        let mut pieces = Table::from_mentions(&ms[..7]);
        pieces.append(Table::from_mentions(&ms[7..30]));
        pieces.append(Table::from_mentions(&ms[30..]));
        assert_eq!(pieces.len(), whole.len());
        assert_eq!(pieces.cells, whole.cells);
        for (i, m) in ms.iter().enumerate() {
            assert_eq!(&pieces.mention(i), m);
            assert_eq!(pieces.position(&m.id), Some(i as u32));
            assert_eq!(
                pieces.row(i).surname_soundex(),
                whole.row(i).surname_soundex()
            );
        }
        assert_eq!(pieces.filled, whole.filled);
        assert_eq!(pieces.first_duplicate(), None);
        pieces.append(Table::from_mentions(&ms[3..4]));
        assert_eq!(pieces.first_duplicate(), Some(40));
        assert_eq!(pieces.position("m3"), Some(3));
    }

    // R5.2: comparing rows by value number gives the levels comparing the mentions gives,
    // for every comparison: swapped names, nicknames given as names, partial plates.
    #[test]
    fn rows_compare_as_their_mentions_do() {
        let names = ["jamal", "jay", "reid", "reed", "ann", "anne", "smith"];
        let plates = ["AB12CDE", "AB12C?E", "AB1?CDE", "XY12CDE", "A8I2CDE"];
        let mut ms = Vec::new();
        let mut seed = 7u64;
        let mut pick = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize % n
        };
        for i in 0..120 {
            let mut fields = vec![
                (Field::FirstName, names[pick(names.len())]),
                (Field::Surname, names[pick(names.len())]),
                (Field::Vrm, plates[pick(plates.len())]),
                (
                    Field::Dob,
                    ["1990-03-04", "1990-04-03", "1991-03-04"][pick(3)],
                ),
                (
                    Field::Postcode,
                    ["B1 1AA", "B1 1AB", "B2 1AA", "ZZ99"][pick(4)],
                ),
                (Field::Make, ["VW", "Volkswagen", "Ford"][pick(3)]),
            ];
            if pick(2) == 0 {
                fields.push((Field::Nickname, names[pick(names.len())]));
            }
            if pick(3) == 0 {
                fields.push((
                    Field::Email,
                    ["jay@example.org", "jay@example.net"][pick(2)],
                ));
                fields.push((Field::Phone, ["07700 900123", "07700 900124"][pick(2)]));
                fields.push((Field::NationalId, ["QQ123456C", "QQ123456D"][pick(2)]));
                fields.push((Field::Address, ["1 High St", "1 High Street"][pick(2)]));
            }
            fields.retain(|_| pick(6) != 0);
            ms.push(mention(&format!("m{i}"), &fields));
        }
        let table = Table::from_mentions(&ms);
        for (i, m) in ms.iter().enumerate() {
            // Keys made from the table's hashed values are the keys made from the text.
            assert_eq!(
                crate::linkage::blocking::blocking_keys(&table.row(i)),
                crate::linkage::blocking::blocking_keys(m),
                "{m:?}"
            );
        }
        // Twice over, so that the second time the names' levels come from the cache.
        let mut names = NameLevels::default();
        for _ in 0..2 {
            for i in 0..ms.len() {
                for j in 0..ms.len() {
                    for spec in SPECS {
                        let want = compare(spec.comparison, &ms[i], &ms[j]);
                        assert_eq!(
                            compare_rows(spec.comparison, &table, i, j),
                            want,
                            "{} {:?} {:?}",
                            spec.name,
                            ms[i],
                            ms[j]
                        );
                        let cached = compare_rows_with(spec.comparison, &table, i, j, &mut names);
                        assert_eq!(cached, want, "{} cached", spec.name);
                    }
                }
            }
        }
    }
}
