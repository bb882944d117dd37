//! Demo information sharing submissions (R5.1, WM-25): practitioners of every area pass to
//! the police what they know about suspected perpetrators (recurring nicknames, partial
//! plates, phone numbers in the range reserved for drama, places), some about a named
//! child, a third of them already graded 3x5x2. All of it is invented.

use anyhow::Result;
use rand::Rng;
use rand::rngs::StdRng;
use safehub_domain::intelligence::{
    Assessment, Grading, HandlingCode, Item, ItemKind, SourceEvaluation, Submission, ToldBy,
};
use safehub_domain::{AgencyId, UserId};
use safehub_store::Store;
use safehub_store::intelligence::{self, NewSubmission};

use super::records::DemoChild;
use super::staff::Region;

/// Submissions per area.
const PER_AREA: usize = 12;
const DAY: i64 = 86_400_000;

const NAMES: &[(&str, &str)] = &[
    ("Jamal", "Jay"),
    ("Robert", "Bob"),
    ("Daniel", "Danny D"),
    ("Tariq", "T"),
    ("Kieran", "Kez"),
    ("Marcus", "Smokey"),
];
const PLATES: &[&str] = &["AB12 C?E", "AB12 CDE", "KX6? LMN", "FD19 W?A", "Y?73 GHT"];
const CARS: &[(&str, &str, &str)] = &[
    ("VW", "Golf", "grey"),
    ("Volkswagen", "Golf", "silver"),
    ("BMW", "3 Series", "black"),
    ("Toyota", "Prius", "white"),
];
const PHONES: &[&str] = &[
    "07700 900123",
    "+44 7700 900123",
    "07700 900456",
    "07700 900789",
];
const PLACES: &[&str] = &[
    "Flat above the takeaway on the high street",
    "Car park behind the retail park",
    "House party on the estate off the ring road",
    "Hotel by the motorway junction",
];
const NARRATIVES: &[&str] = &[
    "Seen waiting outside the school gates in the afternoons.",
    "A parent says their daughter comes home with new phones and clothes.",
    "Regular late-night caller at the children's home, asks for girls by name.",
    "Young people talk about parties where they are given alcohol.",
];

fn item(rng: &mut StdRng, kind: ItemKind, today: jiff::civil::Date) -> Item {
    let seen = today
        .checked_sub(jiff::Span::new().days(rng.gen_range(1..120)))
        .ok();
    let base = Item {
        kind: Some(kind),
        seen_on: seen,
        ..Item::default()
    };
    match kind {
        ItemKind::Person | ItemKind::Caller => {
            let (name, nickname) = NAMES[rng.gen_range(0..NAMES.len())];
            Item {
                name: if rng.gen_bool(0.5) {
                    name.into()
                } else {
                    String::new()
                },
                nicknames: nickname.into(),
                approx_age: (kind == ItemKind::Person).then(|| rng.gen_range(19..45)),
                description: "Medium build, short dark hair".into(),
                ..base
            }
        }
        ItemKind::Vehicle => {
            let (make, model, colour) = CARS[rng.gen_range(0..CARS.len())];
            Item {
                vrm: PLATES[rng.gen_range(0..PLATES.len())].into(),
                make: make.into(),
                model: model.into(),
                colour: colour.into(),
                ..base
            }
        }
        ItemKind::Phone => Item {
            phone: PHONES[rng.gen_range(0..PHONES.len())].into(),
            ..base
        },
        ItemKind::Address | ItemKind::Place => Item {
            address: PLACES[rng.gen_range(0..PLACES.len())].into(),
            ..base
        },
    }
}

/// Adds the submissions; returns how many.
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
    let mut tx = store.begin().await?;
    let mut n = 0;
    for (a, area) in region.areas.iter().enumerate() {
        let theirs: Vec<&DemoChild> = children.iter().filter(|c| c.area == a).collect();
        for k in 0..PER_AREA {
            let sender = &area.referrers[k % area.referrers.len()].1;
            let kinds = rng.gen_range(1..=4);
            let items = (0..kinds)
                .map(|_| {
                    let kind = ItemKind::ALL[rng.gen_range(0..ItemKind::ALL.len())];
                    item(rng, kind, today)
                })
                .collect();
            let submission = Submission {
                told_by: Some(ToldBy::ALL[rng.gen_range(0..ToldBy::ALL.len())]),
                items,
                narrative: NARRATIVES[rng.gen_range(0..NARRATIVES.len())].into(),
                learnt_on: today.checked_sub(jiff::Span::new().days(1)).ok(),
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
            }
            n += 1;
        }
    }
    tx.commit().await?;
    Ok(n)
}
