//! Personal names: case, accents, punctuation, titles and suffixes, transliteration
//! variants and nicknames (R5.2, WM-25.1).
//!
//! [`normalise_name`] gives the comparable form of any name (`"Dr. Seán O'Brien-Smith"` ->
//! `"sean obrien smith"`). [`given_name_groups`] maps a given name to the canonical names it
//! may stand for, so that `Bob` ~ `Robert`, `Jay` ~ `Jamal` and `Mohammed` ~ `Muhammad` are
//! recognised with an explanation rather than by chance string similarity.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Titles and honorifics dropped from the start of a name.
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "rev",
    "revd",
    "reverend",
    "fr",
    "father",
    "sr",
    "sister",
    "master",
    "madam",
    "mme",
    "mlle",
];

/// Generational suffixes dropped from the end of a name.
const SUFFIXES: &[&str] = &[
    "jr", "jnr", "junior", "sr", "snr", "senior", "ii", "iii", "iv",
];

/// Canonical given names and the nicknames, short forms and transliteration variants that
/// may stand for them. A variant may appear under several canonical names (`al`).
const GIVEN_NAMES: &[(&str, &[&str])] = &[
    (
        "robert",
        &[
            "bob", "bobby", "rob", "robbie", "robby", "bert", "bertie", "rab", "robin",
        ],
    ),
    (
        "william",
        &["will", "bill", "billy", "willie", "willy", "liam", "wil"],
    ),
    (
        "richard",
        &[
            "rich", "rick", "ricky", "dick", "dicky", "richie", "ritchie",
        ],
    ),
    ("james", &["jim", "jimmy", "jamie", "jimbo", "jas", "jay"]),
    (
        "john",
        &[
            "jack", "johnny", "jon", "jonny", "johnnie", "ian", "sean", "shaun", "shawn", "evan",
        ],
    ),
    ("jonathan", &["jon", "jonny", "johnny", "nathan"]),
    ("jamal", &["jay", "jamaal", "jamel", "jemal", "jammal"]),
    ("jason", &["jay", "jase"]),
    (
        "joseph",
        &[
            "joe", "joey", "jo", "jos", "josef", "yusuf", "yousef", "youssef",
        ],
    ),
    (
        "michael",
        &[
            "mike", "mick", "micky", "mikey", "mickey", "mikhail", "michel", "miguel", "micheal",
        ],
    ),
    ("thomas", &["tom", "tommy", "thom", "tomas"]),
    (
        "christopher",
        &["chris", "kit", "topher", "christoph", "kristopher"],
    ),
    (
        "christine",
        &[
            "chris",
            "chrissie",
            "christina",
            "kristina",
            "tina",
            "kirsty",
        ],
    ),
    ("daniel", &["dan", "danny", "dani"]),
    (
        "david",
        &["dave", "davey", "davie", "dai", "davy", "dawud", "dawood"],
    ),
    ("anthony", &["tony", "ant", "antony", "anton", "antonio"]),
    (
        "andrew",
        &["andy", "drew", "andi", "andrei", "andreas", "andres"],
    ),
    (
        "alexander",
        &[
            "alex",
            "al",
            "alec",
            "sandy",
            "sasha",
            "aleksandr",
            "alexandr",
            "xander",
            "alasdair",
            "alistair",
            "alastair",
        ],
    ),
    (
        "alexandra",
        &["alex", "lexi", "lexie", "sandra", "sasha", "alexa"],
    ),
    ("albert", &["al", "bert", "bertie", "alberto"]),
    ("alan", &["al", "allan", "allen", "alun"]),
    ("alfred", &["al", "alf", "alfie", "fred", "freddie"]),
    ("frederick", &["fred", "freddie", "freddy", "fritz"]),
    ("edward", &["ed", "eddie", "eddy", "ted", "teddy", "ned"]),
    ("benjamin", &["ben", "benny", "benji"]),
    ("samuel", &["sam", "sammy"]),
    ("samantha", &["sam", "sammy", "sammie"]),
    (
        "matthew",
        &["matt", "matty", "mat", "mateo", "matteo", "mathew"],
    ),
    (
        "nicholas",
        &["nick", "nicky", "nico", "nicolas", "nikolai", "klaus"],
    ),
    ("nicola", &["nicky", "nikki", "nicole", "nic"]),
    (
        "stephen",
        &["steve", "stevie", "steven", "stefan", "stephan", "esteban"],
    ),
    ("peter", &["pete", "petey", "pedro", "piotr", "pierre"]),
    ("patrick", &["pat", "paddy", "patsy", "rick"]),
    ("patricia", &["pat", "patsy", "trish", "tricia", "patty"]),
    (
        "charles",
        &["charlie", "chas", "chuck", "chaz", "carl", "karl"],
    ),
    ("charlotte", &["charlie", "lottie", "lotte", "char"]),
    (
        "elizabeth",
        &[
            "liz",
            "lizzie",
            "lizzy",
            "beth",
            "betty",
            "bess",
            "eliza",
            "elsie",
            "libby",
            "lisa",
            "elisabeth",
            "betsy",
        ],
    ),
    (
        "margaret",
        &[
            "maggie", "meg", "peggy", "marge", "margie", "greta", "rita", "maisie",
        ],
    ),
    (
        "katherine",
        &[
            "kate",
            "katie",
            "kathy",
            "kath",
            "kat",
            "kitty",
            "catherine",
            "kathryn",
            "cathy",
            "katy",
            "cath",
            "ekaterina",
            "katarzyna",
        ],
    ),
    ("jennifer", &["jen", "jenny", "jenni", "jennie"]),
    ("rebecca", &["becky", "becca", "bex", "beck"]),
    ("victoria", &["vicky", "vicki", "tori", "vic"]),
    ("susan", &["sue", "susie", "suzy", "suzanne"]),
    ("deborah", &["deb", "debbie", "debby", "debra"]),
    ("jessica", &["jess", "jessie", "jessy"]),
    ("abigail", &["abby", "abbie", "gail"]),
    ("amanda", &["mandy", "manda"]),
    ("zachary", &["zach", "zack", "zak"]),
    ("joshua", &["josh"]),
    ("gregory", &["greg"]),
    ("kenneth", &["ken", "kenny"]),
    ("timothy", &["tim", "timmy"]),
    ("terence", &["terry", "terrance", "terrence"]),
    ("lawrence", &["larry", "laurie", "laurence", "lol"]),
    ("leonard", &["len", "lenny", "leo"]),
    ("raymond", &["ray"]),
    ("ronald", &["ron", "ronnie"]),
    ("donald", &["don", "donnie"]),
    ("douglas", &["doug", "dougie"]),
    ("harold", &["harry", "hal"]),
    ("henry", &["harry", "hank", "hal", "henri", "enrique"]),
    ("francis", &["frank", "frankie", "fran"]),
    ("frances", &["fran", "frankie", "fanny"]),
    ("gerald", &["gerry", "jerry", "ged"]),
    ("jeremy", &["jerry", "jez"]),
    ("philip", &["phil", "pip", "phillip", "felipe"]),
    ("simon", &["si", "sim"]),
    ("vincent", &["vince", "vinny", "vin"]),
    (
        "muhammad",
        &[
            "mohammed", "mohammad", "mohamed", "muhammed", "mohamad", "mohamud", "mehmet", "mo",
            "moh", "md",
        ],
    ),
    ("ahmed", &["ahmad", "ahmet", "ahmaad"]),
    ("abdul", &["abdel", "abdoul", "abdullah", "abdallah"]),
    ("hussein", &["hussain", "husain", "husein", "hossein"]),
    ("aisha", &["ayesha", "aysha", "aishah", "ayisha"]),
    ("fatima", &["fatimah", "fatma", "fatema"]),
    ("yasmin", &["yasmine", "jasmine", "jasmin", "yazmin"]),
    ("mariam", &["maryam", "miriam", "mary", "maria", "marie"]),
    (
        "mary",
        &["molly", "polly", "mae", "may", "maria", "marie", "mia"],
    ),
    (
        "ann",
        &["anne", "anna", "annie", "hannah", "nan", "nancy", "anya"],
    ),
    ("olivia", &["liv", "livvy", "olive", "ollie"]),
    ("oliver", &["ollie", "olly", "oli", "noll"]),
    ("jacob", &["jake", "jakob", "yakub", "jacques", "jakub"]),
    ("daniela", &["dani", "danielle"]),
    ("tyrone", &["ty", "tyrell"]),
    ("dwayne", &["duane", "dwain", "dwane"]),
    ("sean", &["shaun", "shawn", "shane"]),
    ("connor", &["conor", "con"]),
    ("kieran", &["ciaran", "kieron", "keiran"]),
    ("niamh", &["neve", "neave"]),
    ("siobhan", &["shivaun", "chevonne"]),
    ("reece", &["rhys", "reese", "rees"]),
    ("leah", &["lea", "lia"]),
    ("sophie", &["sophia", "sofia", "soph"]),
    ("zoe", &["zoey", "zoë"]),
    ("chloe", &["chloë", "cloe"]),
    (
        "isabel",
        &["izzy", "isabella", "isobel", "bella", "bel", "issy"],
    ),
    ("emily", &["em", "emmy", "emilie", "emilia", "millie"]),
    ("amelia", &["millie", "amy", "mia"]),
    ("jade", &["jayde", "jaide"]),
    ("dominic", &["dom", "nic"]),
    ("nathaniel", &["nat", "nate", "nathan"]),
    ("theodore", &["theo", "ted", "teddy"]),
    ("gabriel", &["gabe", "gaby"]),
    ("lucas", &["luke", "luca", "lukas"]),
    ("aleksander", &["alek", "olek", "aleks"]),
    ("sergei", &["sergey", "serge", "sergio"]),
    ("dmitri", &["dmitry", "dimitri", "dima"]),
    ("yuri", &["yury", "iouri", "jurij"]),
];

struct NameTables {
    /// Variant or canonical name -> indices into `GIVEN_NAMES`.
    groups: HashMap<&'static str, Vec<u16>>,
}

fn tables() -> &'static NameTables {
    static TABLES: OnceLock<NameTables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut groups: HashMap<&'static str, Vec<u16>> = HashMap::new();
        for (i, (canonical, variants)) in GIVEN_NAMES.iter().enumerate() {
            let i = i as u16;
            for name in std::iter::once(canonical).chain(variants.iter()) {
                let entry = groups.entry(name).or_default();
                if !entry.contains(&i) {
                    entry.push(i);
                }
            }
        }
        NameTables { groups }
    })
}

/// Folds an accented Latin letter to its base letter(s); other characters are returned as is.
fn fold_accent(c: char, out: &mut String) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(folded);
}

/// Lower case, accents folded, apostrophes and dots removed, other punctuation turned into
/// spaces, whitespace collapsed. Titles and generational suffixes are kept.
pub fn clean_text(raw: &str) -> String {
    let mut folded = String::with_capacity(raw.len());
    for c in raw.chars().flat_map(char::to_lowercase) {
        fold_accent(c, &mut folded);
    }
    let mut out = String::with_capacity(folded.len());
    let mut pending_space = false;
    for c in folded.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else if matches!(c, '\'' | '\u{2019}' | '`' | '.') {
            // O'Brien -> obrien, St. -> st
        } else {
            pending_space = true;
        }
    }
    out
}

/// The comparable form of a name: [`clean_text`] then titles removed from the start and
/// generational suffixes from the end. Returns an empty string when nothing is left.
pub fn normalise_name(raw: &str) -> String {
    let cleaned = clean_text(raw);
    let mut tokens: Vec<&str> = cleaned.split(' ').filter(|t| !t.is_empty()).collect();
    while tokens.len() > 1 && TITLES.contains(&tokens[0]) {
        tokens.remove(0);
    }
    while tokens.len() > 1 && tokens.last().is_some_and(|t| SUFFIXES.contains(t)) {
        tokens.pop();
    }
    tokens.join(" ")
}

/// Splits a full name into (given names, surname): the last token is the surname, unless the
/// name is written `Surname, Given`.
pub fn split_full_name(raw: &str) -> (String, String) {
    if let Some((surname, given)) = raw.split_once(',') {
        return (normalise_name(given), normalise_name(surname));
    }
    let name = normalise_name(raw);
    match name.rsplit_once(' ') {
        Some((given, surname)) => (given.to_owned(), surname.to_owned()),
        None => (String::new(), name),
    }
}

/// The canonical given names that a normalised given name may stand for (itself included
/// when it is canonical). Empty when the name is not in the table.
pub fn given_name_groups(name: &str) -> Vec<&'static str> {
    let first = name.split(' ').next().unwrap_or("");
    tables()
        .groups
        .get(first)
        .map(|ids| ids.iter().map(|&i| GIVEN_NAMES[usize::from(i)].0).collect())
        .unwrap_or_default()
}

/// The canonical name two given names share, if the table says one may stand for the other
/// (`bob` and `robert` share `robert`; `jay` and `jamal` share `jamal`).
pub fn shared_given_name(a: &str, b: &str) -> Option<&'static str> {
    let ga = given_name_groups(a);
    if ga.is_empty() {
        return None;
    }
    given_name_groups(b).into_iter().find(|g| ga.contains(g))
}

#[cfg(test)]
mod tests {
    use super::*;

    // R5.2 / WM-25.1: names written differently by different agencies compare equal.
    #[test]
    fn titles_punctuation_accents() {
        assert_eq!(
            normalise_name("Dr. Seán O'Brien-Smith"),
            "sean obrien smith"
        );
        assert_eq!(normalise_name("  MR   john   SMITH jnr "), "john smith");
        assert_eq!(normalise_name("Zoë"), "zoe");
        assert_eq!(normalise_name("Mr"), "mr");
        assert_eq!(normalise_name(""), "");
        assert_eq!(normalise_name("!!!"), "");
    }

    #[test]
    fn full_names_split() {
        assert_eq!(
            split_full_name("Mr John Paul Smith"),
            ("john paul".into(), "smith".into())
        );
        assert_eq!(
            split_full_name("Smith, John"),
            ("john".into(), "smith".into())
        );
        assert_eq!(
            split_full_name("Madonna"),
            (String::new(), "madonna".into())
        );
    }

    // WM-25.1: "nickname Jay ~ Jamal" is evidence an analyst can read.
    #[test]
    fn nicknames_and_variants() {
        assert_eq!(shared_given_name("bob", "robert"), Some("robert"));
        assert_eq!(shared_given_name("jay", "jamal"), Some("jamal"));
        assert_eq!(shared_given_name("mohammed", "muhammad"), Some("muhammad"));
        assert_eq!(shared_given_name("bill", "billy"), Some("william"));
        assert_eq!(shared_given_name("robert", "jamal"), None);
        assert_eq!(shared_given_name("zzz", "zzz"), None);
        assert!(given_name_groups("al").len() >= 3);
    }
}
