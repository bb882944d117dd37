//! The blocking key parts ([`Part`](crate::linkage::blocking::Part)) of a table's distinct values, each hashed once.

use super::{COLUMNS, NAMES, Table, dict_of};
use crate::linkage::blocking::{self, email_user, initial, text_hash};
use crate::linkage::candidates::joined;
use crate::linkage::compare::Comparison;

/// The blocking key parts ([`Part`](crate::linkage::blocking::Part)) of every distinct value of a table, each hashed
/// once, so that a mention's keys are made from numbers.
#[derive(Debug, Default)]
pub(super) struct KeyParts {
    /// Per name number: the name, its initial, its NYSIIS and its Soundex code.
    pub(super) names: Vec<[u64; 4]>,
    /// Per column (phone, e-mail, national identifier, address): each value.
    pub(super) texts: Vec<Vec<u64>>,
    /// Per e-mail address: the part before `@`.
    pub(super) email_users: Vec<u64>,
    /// Per date of birth: its eight digits.
    pub(super) dates: Vec<u64>,
    /// Per postcode: the whole postcode.
    pub(super) postcodes: Vec<u64>,
    /// Keys of plate `v`: `plate_keys[plate_starts[v]..plate_starts[v + 1]]`.
    pub(super) plate_starts: Vec<u32>,
    pub(super) plate_keys: Vec<u64>,
}

/// The text columns whose values are key parts as they are.
const KEYED_TEXTS: [Comparison; 4] = [
    Comparison::Phone,
    Comparison::Email,
    Comparison::NationalId,
    Comparison::Address,
];

impl KeyParts {
    /// The key parts of `table`'s values, on every core.
    pub(super) fn of(table: &Table) -> KeyParts {
        let texts = |c: Comparison| -> Vec<u64> {
            let dict = &table.texts[dict_of(c)];
            dict.values.iter().map(|v| text_hash(v)).collect()
        };
        std::thread::scope(|s| {
            let names = s.spawn(|| {
                let names = &table.texts[NAMES].values;
                names
                    .iter()
                    .zip(table.name_nysiis.iter().zip(&table.name_soundex))
                    .map(|(n, (ny, sx))| {
                        [
                            text_hash(n),
                            text_hash(initial(n)),
                            text_hash(ny),
                            text_hash(sx),
                        ]
                    })
                    .collect()
            });
            let plates = s.spawn(|| {
                let mut starts = Vec::with_capacity(table.vrms.values.len() + 1);
                let mut keys = Vec::new();
                starts.push(0);
                for v in &table.vrms.values {
                    blocking::plate_keys(v, &mut keys);
                    starts.push(keys.len() as u32);
                }
                (starts, keys)
            });
            let others = s.spawn(|| {
                let mut all = vec![Vec::new(); COLUMNS];
                for c in KEYED_TEXTS {
                    all[c as usize] = texts(c);
                }
                let users = table.texts[Comparison::Email as usize]
                    .values
                    .iter()
                    .map(|e| text_hash(email_user(e)))
                    .collect();
                let dates = (table.dates.values.iter())
                    .map(|&d| blocking::date_hash(d))
                    .collect();
                let postcodes = (table.postcodes.values.iter())
                    .map(|p| text_hash(&p.full))
                    .collect();
                (all, users, dates, postcodes)
            });
            let (plate_starts, plate_keys) = joined(plates);
            let (texts, email_users, dates, postcodes) = joined(others);
            KeyParts {
                names: joined(names),
                texts,
                email_users,
                dates,
                postcodes,
                plate_starts,
                plate_keys,
            }
        })
    }
}
