//! String similarity measures used by the comparisons: Jaro-Winkler, optimal string
//! alignment (Damerau-Levenshtein with adjacent transpositions) and token-set Jaccard.
//!
//! All functions work on Unicode scalar values and never panic on any input.

/// Jaro similarity in `[0, 1]`; 1 means identical, 0 means nothing in common.
pub fn jaro(a: &str, b: &str) -> f64 {
    // Names are short and ASCII: their bytes are their characters, and the bookkeeping
    // fits on the stack.
    if a.is_ascii() && b.is_ascii() && a.len() <= SHORT && b.len() <= SHORT {
        let (mut am, mut bm) = ([false; SHORT], [false; SHORT]);
        return jaro_of(a.as_bytes(), b.as_bytes(), &mut am, &mut bm);
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (mut am, mut bm) = (vec![false; a.len()], vec![false; b.len()]);
    jaro_of(&a, &b, &mut am, &mut bm)
}

/// Longest strings compared without allocating.
const SHORT: usize = 64;

fn jaro_of<T: PartialEq>(a: &[T], b: &[T], a_matched: &mut [bool], b_matched: &mut [bool]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut matches = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_matched[j] && b[j] == *ca {
                a_matched[i] = true;
                b_matched[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for (i, ca) in a.iter().enumerate() {
        if a_matched[i] {
            while !b_matched[k] {
                k += 1;
            }
            if *ca != b[k] {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    let t = (transpositions / 2) as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - t) / m) / 3.0
}

/// Jaro-Winkler similarity in `[0, 1]` with the usual prefix scale 0.1 and prefix cap 4.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let j = jaro(a, b);
    let prefix = a
        .chars()
        .zip(b.chars())
        .take(4)
        .take_while(|(x, y)| x == y)
        .count() as f64;
    j + prefix * 0.1 * (1.0 - j)
}

/// Optimal string alignment distance (edits: insert, delete, substitute, swap two adjacent
/// characters).
pub fn osa_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    if n == 0 {
        return m;
    }
    if m == 0 {
        return n;
    }
    let width = m + 1;
    let mut d = vec![0usize; (n + 1) * width];
    for i in 0..=n {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(m + 1) {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = v;
        }
    }
    d[n * width + m]
}

/// Whether two strings are at most one edit apart (`osa_distance(a, b) <= 1`: one
/// character inserted, deleted or substituted, or two adjacent characters swapped), without
/// filling a distance table.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return within_one_edit_of(a.as_bytes(), b.as_bytes());
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    within_one_edit_of(&a, &b)
}

/// [`within_one_edit`] over any sequences.
pub fn within_one_edit_of<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let Some(p) = short.iter().zip(long).position(|(x, y)| x != y) else {
        // One is the other, or the other with one character added at the end.
        return true;
    };
    if short.len() < long.len() {
        // One character inserted at the first difference.
        return short[p..] == long[p + 1..];
    }
    // One substitution, or two adjacent characters swapped.
    short[p + 1..] == long[p + 1..]
        || (p + 1 < short.len()
            && short[p] == long[p + 1]
            && short[p + 1] == long[p]
            && short[p + 2..] == long[p + 2..])
}

/// Jaccard similarity of the whitespace-separated token sets of two strings.
pub fn token_jaccard(a: &str, b: &str) -> f64 {
    fn tokens(s: &str) -> Vec<&str> {
        let mut t: Vec<&str> = s.split_whitespace().collect();
        t.sort_unstable();
        t.dedup();
        t
    }
    let (ta, tb) = (tokens(a), tokens(b));
    if ta.is_empty() && tb.is_empty() {
        return 1.0;
    }
    let (mut x, mut y, mut shared) = (0, 0, 0usize);
    while x < ta.len() && y < tb.len() {
        match ta[x].cmp(tb[y]) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                x += 1;
                y += 1;
            }
        }
    }
    shared as f64 / (ta.len() + tb.len() - shared) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_known_values() {
        // Classic textbook values (Winkler 1990).
        assert!((jaro("martha", "marhta") - 0.944_444).abs() < 1e-5);
        assert!((jaro_winkler("martha", "marhta") - 0.961_111).abs() < 1e-5);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-5);
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert_eq!(jaro_winkler("abc", ""), 0.0);
        assert_eq!(jaro_winkler("abc", "xyz"), 0.0);
    }

    #[test]
    fn osa_counts_transpositions_as_one() {
        assert_eq!(osa_distance("19710624", "19710642"), 1);
        assert_eq!(osa_distance("kitten", "sitting"), 3);
        assert_eq!(osa_distance("", "abc"), 3);
        assert_eq!(osa_distance("é", "e"), 1);
    }

    #[test]
    fn within_one_edit_agrees_with_the_distance() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "bac",
            "abd",
            "abcd",
            "abdc",
            "xbcd",
            "abc",
            "19710624",
            "19710642",
            "19710264",
            "1971062",
            "197106245",
            "91710624",
            "é",
            "e",
            "ée",
            "eé",
            "kitten",
            "sitting",
            "kitten ",
            "itten",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    within_one_edit(a, b),
                    osa_distance(a, b) <= 1,
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn jaro_is_the_same_for_ascii_and_other_text() {
        let long = "a".repeat(70) + "b";
        for (a, b) in [
            ("jamal", "jamaal"),
            ("renée", "renee"),
            (long.as_str(), "ab"),
        ] {
            let chars = |s: &str| s.chars().collect::<Vec<char>>();
            let (ca, cb) = (chars(a), chars(b));
            let expected = jaro_of(
                &ca,
                &cb,
                &mut vec![false; ca.len()],
                &mut vec![false; cb.len()],
            );
            assert_eq!(jaro(a, b), expected, "{a} {b}");
        }
    }

    #[test]
    fn jaccard_of_tokens() {
        assert_eq!(token_jaccard("12 high street", "12 high street"), 1.0);
        assert!((token_jaccard("12 high street", "14 high street") - 0.5).abs() < 1e-12);
        assert!((token_jaccard("a a b", "b c") - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(token_jaccard("", "  "), 1.0);
        assert_eq!(token_jaccard("a", ""), 0.0);
    }
}
