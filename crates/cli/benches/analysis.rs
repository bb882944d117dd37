//! The analysts' picture (issue 4, part B): how long it takes to build from what the store
//! holds, and to answer the subjects page (subjects linked to two or more children,
//! networks, betweenness), for a force with 1,000 to 50,000 pieces of shared information.
//! In memory, without the database, so the figures are the engine's and the graph's alone.
//!
//! Run with `cargo bench -p safehub --bench analysis`; `BENCH_SIZES=1000,10000` picks the
//! sizes (submissions). Results are recorded in `bench/README.md`.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use safehub_domain::intelligence::Item;
use safehub_domain::{AreaId, ChildId};
use safehub_store::intelligence::analysis::{AnalysisInput, AnalysisItem};
use safehub_web::analysis::Picture;

const GIVEN: &[&str] = &[
    "Jamal", "Robert", "Daniel", "Tariq", "Kieran", "Marcus", "Lewis", "Omar", "Aaron", "Ryan",
    "Callum", "Imran", "Jordan", "Nathan", "Tyler", "Zain",
];
const FAMILY: &[&str] = &[
    "Reid", "Kane", "Price", "Hussain", "Moss", "Webb", "Grant", "Farah", "Ali", "Clarke", "Walsh",
    "Begum", "Hayes", "Lowe", "Nash", "Pike", "Rowe", "Shah", "Tate", "Vance",
];
const NICK: &[&str] = &[
    "Jay", "Bob", "Danny D", "T", "Kez", "Smokey", "Lew", "O", "Little D",
];

/// A synthetic force: `submissions` reports about `submissions / 5` suspects, each report
/// naming its suspect in one of three ways with, sometimes, their phone (in one of three
/// formats), their car (whole or partial plate) and a child from a pool.
fn force(submissions: usize, seed: u64) -> AnalysisInput {
    let mut rng = StdRng::seed_from_u64(seed);
    let areas: Vec<AreaId> = (0..7).map(|_| AreaId::new()).collect();
    let children: Vec<ChildId> = (0..submissions / 3 + 1).map(|_| ChildId::new()).collect();
    let suspects = (submissions / 5).max(1);
    let mut input = AnalysisInput::default();
    for s in 0..submissions {
        let who = rng.gen_range(0..suspects);
        let id = format!("{s:08}");
        let (g, f, n) = (
            GIVEN[who % GIVEN.len()],
            FAMILY[(who / GIVEN.len()) % FAMILY.len()],
            NICK[who % NICK.len()],
        );
        let name = match rng.gen_range(0..3) {
            0 => format!("{g} {f}"),
            1 => g.to_owned(),
            _ => String::new(),
        };
        let area = areas[who % areas.len()];
        let mut items = vec![Item::person(&name, n)];
        if rng.gen_bool(0.6) {
            let number = format!("{:06}", who % 1_000_000);
            items.push(Item::phone(&match rng.gen_range(0..3) {
                0 => format!("07700 9{number}"),
                1 => format!("+44 7700 9{number}"),
                _ => format!("077009{number}"),
            }));
        }
        if rng.gen_bool(0.4) {
            let letters: String = (0..3)
                .map(|k| char::from(b'A' + ((who / 26usize.pow(k)) % 26) as u8))
                .collect();
            let plate = format!("AB{:02} {letters}", who % 100);
            let seen = if rng.gen_bool(0.3) {
                plate.replacen(&letters[1..2], "?", 1)
            } else {
                plate
            };
            items.push(Item::vehicle(&seen));
        }
        for (position, item) in items.into_iter().enumerate() {
            input.items.push(AnalysisItem {
                id: format!("{id}/{position}"),
                submission_id: id.clone(),
                area,
                received_at: 0,
                item,
            });
        }
        if rng.gen_bool(0.5) {
            input
                .children
                .push((id, children[rng.gen_range(0..children.len())]));
        }
    }
    input
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 50_000]);
    println!(
        "| submissions | items | persons | subjects | proposals (possible matches) | build (ms) | subjects with 2+ children (ms) | networks (ms) | betweenness (ms) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let input = force(n, 7);
        let items = input.items.len();
        let started = Instant::now();
        let picture = Picture::build(input);
        let build = started.elapsed();
        let started = Instant::now();
        let multiple = picture.graph.subjects_with_multiple_children().len();
        let linked = started.elapsed();
        let started = Instant::now();
        let networks = picture.graph.networks().len();
        let components = started.elapsed();
        let started = Instant::now();
        let between = picture.graph.betweenness().len();
        let betweenness = started.elapsed();
        assert!(multiple > 0 && networks > 0 && between > 0);
        let possible = picture.proposals.iter().filter(|x| !x.linked).count();
        println!(
            "| {n} | {items} | {} | {} | {} ({possible}) | {:.1} | {:.1} | {:.1} | {:.1} |",
            picture.persons(),
            picture.subjects.len(),
            picture.proposals.len(),
            build.as_secs_f64() * 1e3,
            linked.as_secs_f64() * 1e3,
            components.as_secs_f64() * 1e3,
            betweenness.as_secs_f64() * 1e3,
        );
    }
}
