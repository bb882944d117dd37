//! Vehicle make, model and colour aliases (`VW` = `Volkswagen`, `grey` ~ `silver`).
//!
//! Makes and colours get a canonical spelling; colours also a family, because witnesses
//! disagree on shades (grey and silver, navy and blue) more than on families.

use super::names::clean_text;

const MAKES: &[(&str, &[&str])] = &[
    ("volkswagen", &["vw", "volkswagon", "volks", "v w"]),
    (
        "mercedes",
        &["mercedes benz", "merc", "mercedesbenz", "benz", "mb"],
    ),
    ("bmw", &["beemer", "bimmer", "b m w"]),
    ("land rover", &["landrover", "range rover", "rangerover"]),
    ("vauxhall", &["vaux", "opel"]),
    ("chevrolet", &["chevy", "chev"]),
    ("alfa romeo", &["alfa", "alfaromeo"]),
    ("aston martin", &["aston", "astonmartin"]),
    ("rolls royce", &["rolls", "rollsroyce", "rr"]),
    ("mini", &["bmw mini"]),
    ("citroen", &["citroën", "citreon"]),
    ("peugeot", &["peugot", "pug"]),
    ("hyundai", &["hyundia", "hundai"]),
    ("mitsubishi", &["mitsi", "mitsubushi"]),
    ("skoda", &["škoda"]),
    ("seat", &["séat"]),
    ("toyota", &["toyo"]),
    ("nissan", &["datsun"]),
];

const COLOURS: &[(&str, &str, &[&str])] = &[
    // (canonical, family, aliases)
    (
        "grey",
        "grey",
        &["gray", "gry", "gunmetal", "charcoal", "graphite"],
    ),
    ("silver", "grey", &["silv", "slv", "metallic silver"]),
    ("black", "black", &["blk", "blck", "jet black"]),
    (
        "white",
        "white",
        &["wht", "pearl", "pearl white", "cream", "ivory"],
    ),
    (
        "blue",
        "blue",
        &["blu", "light blue", "dark blue", "sky blue", "royal blue"],
    ),
    ("navy", "blue", &["navy blue", "dark navy"]),
    ("red", "red", &["rd", "bright red", "dark red", "scarlet"]),
    ("maroon", "red", &["burgundy", "wine", "claret"]),
    (
        "green",
        "green",
        &["grn", "dark green", "light green", "racing green", "olive"],
    ),
    ("yellow", "yellow", &["yel", "yllw", "mustard"]),
    ("gold", "yellow", &["champagne"]),
    ("orange", "orange", &["org", "amber"]),
    ("brown", "brown", &["brn", "bronze", "tan"]),
    ("beige", "brown", &["fawn", "sand"]),
    ("purple", "purple", &["violet", "mauve", "lilac"]),
    ("pink", "pink", &["rose"]),
];

/// Canonical make (`VW` -> `volkswagen`); an unknown make is returned cleaned.
pub fn normalise_make(raw: &str) -> String {
    let cleaned = clean_text(raw);
    for (canonical, aliases) in MAKES {
        if cleaned == *canonical || aliases.contains(&cleaned.as_str()) {
            return (*canonical).to_owned();
        }
    }
    cleaned
}

/// Model: cleaned, spaces and hyphens removed (`Golf GTi` -> `golfgti`, `C-Max` -> `cmax`).
pub fn normalise_model(raw: &str) -> String {
    clean_text(raw).replace(' ', "")
}

/// A normalised colour.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Colour {
    /// Canonical colour (`gray` -> `grey`).
    pub name: String,
    /// Colour family (`silver` -> `grey`); the name itself for unknown colours.
    pub family: String,
}

/// Normalises a colour; `None` when empty.
pub fn normalise_colour(raw: &str) -> Option<Colour> {
    let cleaned = clean_text(raw);
    if cleaned.is_empty() {
        return None;
    }
    for (canonical, family, aliases) in COLOURS {
        if cleaned == *canonical || aliases.contains(&cleaned.as_str()) {
            return Some(Colour {
                name: (*canonical).to_owned(),
                family: (*family).to_owned(),
            });
        }
    }
    // "dark grey metallic": the first known colour word decides.
    for word in cleaned.split(' ') {
        for (canonical, family, aliases) in COLOURS {
            if word == *canonical || aliases.contains(&word) {
                return Some(Colour {
                    name: (*canonical).to_owned(),
                    family: (*family).to_owned(),
                });
            }
        }
    }
    Some(Colour {
        name: cleaned.clone(),
        family: cleaned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // WM-27.1: a vehicle described differently in two reports is recognised as one.
    #[test]
    fn makes_and_models() {
        assert_eq!(normalise_make("VW"), "volkswagen");
        assert_eq!(normalise_make("Mercedes-Benz"), "mercedes");
        assert_eq!(normalise_make("Range Rover"), "land rover");
        assert_eq!(normalise_make("Tesla"), "tesla");
        assert_eq!(normalise_model("Golf GTi"), "golfgti");
        assert_eq!(normalise_model("C-Max"), "cmax");
    }

    #[test]
    fn colours_and_families() {
        let grey = normalise_colour("Gray").expect("colour");
        let silver = normalise_colour("silver").expect("colour");
        assert_eq!(grey.name, "grey");
        assert_eq!(grey.family, silver.family);
        assert_eq!(
            normalise_colour("dark grey metallic").expect("c").name,
            "grey"
        );
        assert_eq!(normalise_colour("Navy").expect("c").family, "blue");
        assert_eq!(normalise_colour("teal").expect("c").family, "teal");
        assert!(normalise_colour(" ").is_none());
    }
}
