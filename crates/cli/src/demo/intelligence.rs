//! Demo information sharing submissions (R5.1, WM-25) for the analysis to work on (R5.2,
//! WM-27.1): practitioners of every area pass to the police what they know about a handful
//! of planted suspected perpetrators, each seen under different names and nicknames, with
//! their phone written in different ways, their car as a whole or a partial plate, and the
//! places they take children (two of them planted hotspots, busiest in the summer months);
//! some submissions name a child. A third are already graded 3x5x2 and some of those
//! shared back with the area's agencies. Every name, number, plate and postcode is invented
//! (the `ZZ` postcodes do not exist).

use anyhow::Result;
use rand::Rng;
use rand::rngs::StdRng;
use safehub_domain::intelligence::{
    Assessment, Grading, HandlingCode, Item, ItemKind, SourceEvaluation, Submission, ToldBy,
};
use safehub_domain::{AgencyId, AgencyKind, UserId};
use safehub_store::Store;
use safehub_store::intelligence::{self, NewSubmission, analysis};

use super::records::DemoChild;
use super::staff::Region;

/// Submissions per area.
const PER_AREA: usize = 12;
const DAY: i64 = 86_400_000;

/// A planted suspected perpetrator: how they are named, and what goes with them.
struct Planted {
    /// Ways practitioners write the name (empty: the name is not known).
    names: &'static [&'static str],
    nicknames: &'static [&'static str],
    /// Their phone, written in different ways.
    phones: &'static [&'static str],
    /// Their car's plate, and how it is seen in part.
    plates: &'static [&'static str],
    car: (
        &'static [&'static str],
        &'static str,
        &'static [&'static str],
    ),
    /// The place they take children (index into [`PLACES`]).
    place: usize,
}

const PLANTED: &[Planted] = &[
    Planted {
        names: &["Jamal Reid", "Jamal", ""],
        nicknames: &["Jay", "J"],
        phones: &["07700 900123", "+44 7700 900123", "07700900123"],
        plates: &["AB12 CDE", "AB12 C?E", "AB12CDE"],
        car: (&["VW", "Volkswagen"], "Golf", &["grey", "silver"]),
        place: 0,
    },
    Planted {
        names: &["Robert Kane", "Bobby Kane", ""],
        nicknames: &["Bob", "Smokey"],
        phones: &["07700 900456", "0044 7700 900456"],
        plates: &["KX62 LMN", "KX6? LMN"],
        car: (&["BMW"], "3 Series", &["black"]),
        place: 1,
    },
    Planted {
        names: &["Daniel Price", "Danny Price"],
        nicknames: &["Danny D"],
        phones: &["07700 900789", "07700-900-789"],
        plates: &["FD19 WXA", "FD19 W?A"],
        car: (&["Toyota"], "Prius", &["white"]),
        place: 2,
    },
    Planted {
        names: &["Tariq Hussain", "Tariq", ""],
        nicknames: &["T", "Tee"],
        phones: &["07700 900321", "+447700900321"],
        plates: &["Y173 GHT", "Y?73 GHT"],
        car: (&["Ford"], "Focus", &["blue"]),
        place: 0,
    },
];

/// Places children are taken: (description, postcode, easting, northing). The first two
/// are planted hotspots.
const PLACES: &[(&str, &str, i64, i64)] = &[
    (
        "Flat above the takeaway on the high street",
        "ZZ1 1AA",
        407_120,
        286_430,
    ),
    (
        "Car park behind the retail park",
        "ZZ1 2AB",
        407_480,
        286_910,
    ),
    (
        "Hotel by the motorway junction",
        "ZZ2 1AD",
        401_300,
        289_700,
    ),
    (
        "House party on the estate off the ring road",
        "ZZ3 4AF",
        412_600,
        281_200,
    ),
    ("Bus station waiting room", "ZZ4 3AG", 396_800, 284_100),
    ("Playing fields by the canal", "ZZ5 5AH", 409_900, 292_300),
    ("Shisha lounge on the parade", "ZZ6 2AJ", 403_500, 279_800),
];

/// People mentioned once, who the analysis should leave alone.
const PASSERS_BY: &[(&str, &str)] = &[
    ("Kieran Moss", "Kez"),
    ("Marcus Webb", ""),
    ("", "Little D"),
    ("Lewis Grant", "Lew"),
    ("Omar Farah", ""),
];

const NARRATIVES: &[&str] = &[
    "Seen waiting outside the school gates in the afternoons.",
    "A parent says their daughter comes home with new phones and clothes.",
    "Regular late-night caller at the children's home, asks for girls by name.",
    "Young people talk about parties where they are given alcohol.",
];

fn pick<'a>(rng: &mut StdRng, options: &[&'a str]) -> &'a str {
    options[rng.gen_range(0..options.len())]
}

fn days_ago(today: jiff::civil::Date, days: i64) -> Option<jiff::civil::Date> {
    today.checked_sub(jiff::Span::new().days(days)).ok()
}

/// When a place was seen: the hotspots mostly in the summer months, the rest any time.
fn seen_on(rng: &mut StdRng, today: jiff::civil::Date, place: usize) -> Option<jiff::civil::Date> {
    if place < 2 && rng.gen_bool(0.7) {
        let month = rng.gen_range(6..=8);
        let day = rng.gen_range(1..=28);
        jiff::civil::Date::new(today.year() - i16::from(today.month() < 9), month, day).ok()
    } else {
        days_ago(today, rng.gen_range(1..300))
    }
}

fn place_item(rng: &mut StdRng, today: jiff::civil::Date, place: usize) -> Item {
    let (address, postcode, _, _) = PLACES[place];
    Item {
        kind: Some(ItemKind::Place),
        address: address.into(),
        postcode: postcode.into(),
        description: "Children taken there in the evening".into(),
        seen_on: seen_on(rng, today, place),
        ..Item::default()
    }
}

/// What one submission about a planted subject holds: the person, and some of their
/// phone, car and place.
fn about_planted(rng: &mut StdRng, today: jiff::civil::Date, who: &Planted) -> Vec<Item> {
    let seen = days_ago(today, rng.gen_range(1..200));
    let mut items = vec![Item {
        kind: Some(if rng.gen_bool(0.15) {
            ItemKind::Caller
        } else {
            ItemKind::Person
        }),
        name: pick(rng, who.names).into(),
        nicknames: pick(rng, who.nicknames).into(),
        approx_age: Some(rng.gen_range(24..40)),
        description: "Medium build, short dark hair".into(),
        seen_on: seen,
        ..Item::default()
    }];
    if rng.gen_bool(0.6) {
        items.push(Item {
            kind: Some(ItemKind::Phone),
            phone: pick(rng, who.phones).into(),
            seen_on: seen,
            ..Item::default()
        });
    }
    if rng.gen_bool(0.5) {
        let (makes, model, colours) = who.car;
        items.push(Item {
            kind: Some(ItemKind::Vehicle),
            vrm: pick(rng, who.plates).into(),
            make: pick(rng, makes).into(),
            model: model.into(),
            colour: pick(rng, colours).into(),
            seen_on: seen,
            ..Item::default()
        });
    }
    if rng.gen_bool(0.6) {
        items.push(place_item(rng, today, who.place));
    }
    items
}

/// A submission about someone seen once, sometimes with a place.
fn about_passer_by(rng: &mut StdRng, today: jiff::civil::Date, k: usize) -> Vec<Item> {
    let (name, nickname) = PASSERS_BY[k % PASSERS_BY.len()];
    let mut items = vec![Item {
        kind: Some(ItemKind::Person),
        name: name.into(),
        nicknames: nickname.into(),
        seen_on: days_ago(today, rng.gen_range(1..200)),
        ..Item::default()
    }];
    items.push(Item {
        kind: Some(ItemKind::Phone),
        phone: format!("07700 90{:04}", 1000 + k * 37 % 8999),
        ..Item::default()
    });
    if rng.gen_bool(0.5) {
        // Not the planted subjects' places, so that their networks stay apart.
        let place = rng.gen_range(3..PLACES.len());
        items.push(place_item(rng, today, place));
    }
    items
}

/// Adds the submissions and the demo postcode locations; returns how many submissions.
pub async fn seed(
    store: &Store,
    rng: &mut StdRng,
    region: &Region,
    children: &[DemoChild],
    police: AgencyId,
    officer: UserId,
    now: i64,
) -> Result<usize> {
    let today = jiff::Zoned::now().date();
    let agencies = store.agencies().await?;
    let mut tx = store.begin().await?;
    let locations: Vec<(String, i64, i64)> = PLACES
        .iter()
        .map(|(_, postcode, x, y)| ((*postcode).to_owned(), *x, *y))
        .collect();
    analysis::load_postcode_locations(&mut tx, &locations).await?;
    let mut n = 0;
    for (a, area) in region.areas.iter().enumerate() {
        let theirs: Vec<&DemoChild> = children.iter().filter(|c| c.area == a).collect();
        for k in 0..PER_AREA {
            let sender = &area.referrers[k % area.referrers.len()].1;
            // Each planted subject works in a few neighbouring areas.
            let items = if k % 4 == 3 {
                about_passer_by(rng, today, a * PER_AREA + k)
            } else {
                let who = &PLANTED[(a + k % 3) % PLANTED.len()];
                about_planted(rng, today, who)
            };
            let submission = Submission {
                told_by: Some(ToldBy::ALL[rng.gen_range(0..ToldBy::ALL.len())]),
                items,
                narrative: NARRATIVES[rng.gen_range(0..NARRATIVES.len())].into(),
                learnt_on: days_ago(today, 1),
            };
            let about: Vec<_> = theirs
                .get(rng.gen_range(0..theirs.len().max(1)))
                .filter(|_| rng.gen_bool(0.6))
                .map(|c| c.id)
                .into_iter()
                .collect();
            let id = uuid::Uuid::new_v4().to_string();
            intelligence::insert(
                &mut tx,
                &NewSubmission {
                    id: &id,
                    area: area.id,
                    police_agency: police,
                    submitted_by: sender.id,
                    submitter_agency: sender.agency,
                    submission: &submission,
                    children: &about,
                    received_at: now - rng.gen_range(1..90) * DAY,
                    form_key: None,
                },
            )
            .await?;
            if k % 3 == 0 {
                let grading = Grading {
                    source: SourceEvaluation::Untested,
                    assessment: Assessment::ALL[rng.gen_range(0..3)],
                    handling: HandlingCode::Permitted,
                    conditions: None,
                };
                intelligence::grade(&mut tx, &id, 1, &grading, officer, now - DAY).await?;
                if k % 6 == 0 {
                    // Shared back with the area's schools and children's services.
                    let with: Vec<AgencyId> = agencies
                        .iter()
                        .filter(|g| {
                            g.areas.contains(&area.id)
                                && matches!(
                                    g.kind,
                                    AgencyKind::Education | AgencyKind::ChildrensServices
                                )
                        })
                        .map(|g| g.id)
                        .collect();
                    intelligence::share_back(&mut tx, &id, &with).await?;
                }
            }
            n += 1;
        }
    }
    tx.commit().await?;
    Ok(n)
}
