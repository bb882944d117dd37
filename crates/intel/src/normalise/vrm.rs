//! UK vehicle registration marks (VRMs): spacing, case, confusable characters and partial
//! plates (WM-27.1: a car seen as a partial plate must still link).
//!
//! Witnesses and officers misread `0/O`, `1/I`, `5/S`, `8/B`, `2/Z` and `6/G`, and often see
//! only part of a plate; unknown characters are written `?` (also accepted: `*`, `_`).
//! [`normalise_vrm`] puts a plate in a canonical form, using the known formats (current
//! `AB12 CDE`, prefix `A123 BCD`, suffix `ABC 123D`, dateless) to correct confusables by
//! position. [`compare_vrm`] says how two plates relate, with the reason.

/// A normalised registration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Vrm {
    /// Upper case, no spaces; confusables corrected by position when the format is known;
    /// `?` for unknown characters.
    pub plate: String,
    /// The plate with every confusable character folded to one representative, for
    /// format-independent matching.
    pub folded: String,
    /// The format recognised, if any.
    pub format: Option<VrmFormat>,
}

/// The UK registration formats recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VrmFormat {
    /// Since 2001: two letters, two digits, three letters (`AB12CDE`).
    Current,
    /// 1983-2001: a letter, one to three digits, three letters (`A123BCD`).
    Prefix,
    /// 1963-1983: three letters, one to three digits, a letter (`ABC123D`).
    Suffix,
}

/// How two registrations relate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VrmMatch {
    /// Identical after normalisation.
    Exact,
    /// Equal once confusable characters are folded; the number of positions that differ.
    Confusable(usize),
    /// Compatible: every position equal, confusable, or unknown (`?`) on one side; the number
    /// of unknown positions.
    Partial(usize),
    /// One edit apart (a character wrong, missing or extra, or two swapped).
    OneEdit,
    /// Different plates.
    Different,
}

/// Folds a confusable character to its representative (digits stand for their look-alikes).
pub fn fold_confusable(c: char) -> char {
    match c {
        'O' | 'Q' | 'D' => '0',
        'I' => '1',
        'S' => '5',
        'B' => '8',
        'Z' => '2',
        'G' => '6',
        other => other,
    }
}

fn to_letter(c: char) -> char {
    match c {
        '0' => 'O',
        '1' => 'I',
        '5' => 'S',
        '8' => 'B',
        '2' => 'Z',
        '6' => 'G',
        other => other,
    }
}

fn to_digit(c: char) -> char {
    match c {
        'O' | 'Q' | 'D' => '0',
        'I' => '1',
        'S' => '5',
        'B' => '8',
        'Z' => '2',
        'G' => '6',
        other => other,
    }
}

/// `L` letter, `D` digit, `?` unknown, for each position of a folded plate.
fn shape_matches(plate: &[char], shape: &str) -> bool {
    plate.len() == shape.len()
        && plate.iter().zip(shape.chars()).all(|(&c, s)| {
            c == '?'
                || match s {
                    'L' => c.is_ascii_alphabetic() || to_letter(c) != c,
                    _ => c.is_ascii_digit() || to_digit(c) != c,
                }
        })
}

fn apply_shape(plate: &[char], shape: &str) -> String {
    plate
        .iter()
        .zip(shape.chars())
        .map(|(&c, s)| match (c, s) {
            ('?', _) => '?',
            (c, 'L') => to_letter(c),
            (c, _) => to_digit(c),
        })
        .collect()
}

const SHAPES: &[(&str, VrmFormat)] = &[
    ("LLDDLLL", VrmFormat::Current),
    ("LDLLL", VrmFormat::Prefix),
    ("LDDLLL", VrmFormat::Prefix),
    ("LDDDLLL", VrmFormat::Prefix),
    ("LLLDL", VrmFormat::Suffix),
    ("LLLDDL", VrmFormat::Suffix),
    ("LLLDDDL", VrmFormat::Suffix),
];

/// Normalises a written registration. Returns `None` when nothing plate-like is left.
pub fn normalise_vrm(raw: &str) -> Option<Vrm> {
    let chars: Vec<char> = raw
        .chars()
        .filter_map(|c| match c {
            '*' | '_' | '?' => Some('?'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_uppercase()),
            _ => None,
        })
        .collect();
    if chars.is_empty() || chars.iter().all(|&c| c == '?') || chars.len() > 8 {
        return None;
    }
    let mut plate: String = chars.iter().collect();
    let mut format = None;
    // Of the shapes that fit, the one needing fewest corrections wins (the current format
    // first on a tie).
    let best = SHAPES
        .iter()
        .filter(|(shape, _)| shape_matches(&chars, shape))
        .map(|(shape, f)| {
            let fixed = apply_shape(&chars, shape);
            let cost = fixed.chars().zip(&chars).filter(|(x, y)| x != *y).count();
            (cost, fixed, *f)
        })
        .min_by_key(|(cost, _, _)| *cost);
    if let Some((_, fixed, f)) = best {
        plate = fixed;
        format = Some(f);
    }
    let folded = plate.chars().map(fold_confusable).collect();
    Some(Vrm {
        plate,
        folded,
        format,
    })
}

/// Compares two normalised registrations.
pub fn compare_vrm(a: &Vrm, b: &Vrm) -> VrmMatch {
    if a.plate == b.plate && !a.plate.contains('?') {
        return VrmMatch::Exact;
    }
    // Plates are ASCII once normalised; their bytes are their characters.
    let ascii = [&a.plate, &a.folded, &b.plate, &b.folded]
        .iter()
        .all(|s| s.is_ascii());
    let relation = if ascii {
        relate(
            a.folded.as_bytes(),
            b.folded.as_bytes(),
            a.plate.as_bytes(),
            b.plate.as_bytes(),
            b'?',
        )
    } else {
        let chars = |s: &str| s.chars().collect::<Vec<char>>();
        relate(
            &chars(&a.folded),
            &chars(&b.folded),
            &chars(&a.plate),
            &chars(&b.plate),
            '?',
        )
    };
    if let Some(m) = relation {
        return m;
    }
    if !a.plate.contains('?')
        && !b.plate.contains('?')
        && a.folded != b.folded
        && crate::similarity::within_one_edit(&a.folded, &b.folded)
    {
        return VrmMatch::OneEdit;
    }
    VrmMatch::Different
}

/// Confusable or partial agreement of two plates of the same length, from their folded
/// forms (`fa`, `fb`) and as written (`pa`, `pb`).
fn relate<T: PartialEq + Copy>(
    fa: &[T],
    fb: &[T],
    pa: &[T],
    pb: &[T],
    unknown_mark: T,
) -> Option<VrmMatch> {
    if fa.len() != fb.len() {
        return None;
    }
    let unknown = fa
        .iter()
        .zip(fb)
        .filter(|(x, y)| **x == unknown_mark || **y == unknown_mark)
        .count();
    let compatible = fa
        .iter()
        .zip(fb)
        .all(|(x, y)| *x == unknown_mark || *y == unknown_mark || x == y);
    if compatible && unknown == 0 {
        let differing = pa.iter().zip(pb).filter(|(x, y)| x != y).count();
        return Some(VrmMatch::Confusable(differing));
    }
    if compatible && unknown <= 2 && unknown * 2 < fa.len() {
        return Some(VrmMatch::Partial(unknown));
    }
    None
}

/// Blocking keys for a plate: the folded plate and, for a complete plate, the plate with each
/// single position replaced by `?`, so that a partial plate with one unknown character meets
/// the complete plate in a block; plates with more unknowns use their longest known run.
pub fn vrm_blocking_keys(v: &Vrm) -> Vec<String> {
    let mut keys = Vec::new();
    for_each_vrm_blocking_key(v, |k| keys.push(k.to_owned()));
    keys
}

/// [`vrm_blocking_keys`], each given to `key` in turn without being kept.
pub fn for_each_vrm_blocking_key(v: &Vrm, mut key: impl FnMut(&str)) {
    let mut chars: Vec<char> = v.folded.chars().collect();
    match chars.iter().filter(|&&c| c == '?').count() {
        0 => {
            key(&v.folded);
            let mut buffer = String::with_capacity(v.folded.len() + 1);
            for i in 0..chars.len() {
                let kept = std::mem::replace(&mut chars[i], '?');
                buffer.clear();
                buffer.extend(chars.iter());
                key(&buffer);
                chars[i] = kept;
            }
        }
        1 => key(&v.folded),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Vrm {
        normalise_vrm(s).expect("plate")
    }

    // WM-27.1: plates written with spaces, lower case or misread characters are one car.
    #[test]
    fn formats_and_confusables() {
        let v = n("ab12 cde");
        assert_eq!(v.plate, "AB12CDE");
        assert_eq!(v.format, Some(VrmFormat::Current));
        // O read for 0 and 5 for S, corrected by position in the current format.
        assert_eq!(n("AB1O CD5").plate, "AB10CDS");
        assert_eq!(n("A123 BCD").format, Some(VrmFormat::Prefix));
        assert_eq!(n("ABC 123D").format, Some(VrmFormat::Suffix));
        assert_eq!(n("H1").plate, "H1");
        assert_eq!(n("H1").format, None);
        assert!(normalise_vrm("  - ").is_none());
        assert!(normalise_vrm("???").is_none());
        assert!(normalise_vrm("ABCDEFGHIJ").is_none());
    }

    #[test]
    fn comparisons() {
        assert_eq!(compare_vrm(&n("AB12CDE"), &n("ab12 cde")), VrmMatch::Exact);
        // 8 for B in a position the format cannot correct (prefix/suffix ambiguity aside).
        assert!(matches!(
            compare_vrm(&n("AB12CDE"), &n("A812CDE")),
            VrmMatch::Exact | VrmMatch::Confusable(_)
        ));
        assert_eq!(
            compare_vrm(&n("AB12CDE"), &n("AB12C?E")),
            VrmMatch::Partial(1)
        );
        assert_eq!(
            compare_vrm(&n("AB12CDE"), &n("AB1?C?E")),
            VrmMatch::Partial(2)
        );
        assert_eq!(compare_vrm(&n("AB12CDE"), &n("AB12CDF")), VrmMatch::OneEdit);
        assert_eq!(
            compare_vrm(&n("AB12CDE"), &n("XY99ZZZ")),
            VrmMatch::Different
        );
        assert_eq!(
            compare_vrm(&n("???2CDE"), &n("XY92CDE")),
            VrmMatch::Different
        );
    }

    #[test]
    fn partial_plates_share_a_blocking_key() {
        let full = vrm_blocking_keys(&n("AB12CDE"));
        let partial = vrm_blocking_keys(&n("AB12C?E"));
        assert!(partial.iter().any(|k| full.contains(k)));
        assert!(vrm_blocking_keys(&n("A?12C?E")).is_empty());
    }
}
