//! Building the picture: mentions, subjects, things, the graph and the proposals.

use std::collections::{BTreeMap, HashMap, HashSet};

use safehub_domain::intelligence::{Item, ItemKind};
use safehub_intel::normalise::{
    VrmMatch, compare_vrm, normalise_address, normalise_phone, normalise_postcode, normalise_vrm,
    parse_timestamp,
};
use safehub_intel::{
    Decision, Explanation, Field, GraphBuilder, LinkGraph, LinkOptions, Linker, Mention, NodeId,
    NodeKind, Point,
};
use safehub_store::intelligence::analysis::{AnalysisInput, LinkDecision, Verdict};

/// Other mentions counted as if seen alongside a force's, when weighing how rare a shared
/// value is. In a few dozen reports one active suspect's phone is "common"; among a
/// thousand more it is as rare as it is, while a nickname common across thousands of
/// reports stays common (see `safehub_intel::linkage::model::Model::new`).
pub const BACKGROUND: usize = 1_000;

/// Random pairs sampled to estimate how often unrelated mentions agree: enough for a
/// force's few thousand persons mentioned, and it keeps a page quick.
pub const SAMPLE_PAIRS: usize = 20_000;

/// Mentions sharing a blocking key beyond which the key proposes no pairs. A force's reports
/// are few enough to compare every pair sharing a nickname that up to 200 mentions give
/// ("Jay" in 60 reports), and an analyst reviews what that alone proposes; the engine's
/// default of 50 is for linking millions of records in bulk.
pub const MAX_BLOCK: usize = 200;

/// The match probability from which a pair the engine did not link is still proposed, as a
/// possible match, for an analyst to merge or reject.
pub const REVIEW_FLOOR: f64 = 0.5;

/// A subject: one suspected perpetrator, the persons mentioned that the engine and the
/// analysts resolved into one.
#[derive(Clone, Debug)]
pub struct Subject {
    /// Its key: the id of the member item that sorts first. Any member's id finds it.
    pub key: String,
    /// The member items (indexes into the input's items), in id order.
    pub members: Vec<usize>,
    /// Its node in the graph.
    pub node: NodeId,
}

/// A vehicle, phone, address or place, as resolved from the items that mention it.
#[derive(Clone, Debug)]
pub struct Thing {
    /// What it is.
    pub kind: NodeKind,
    /// The items that mention it.
    pub items: Vec<usize>,
}

/// A link between two persons mentioned, proposed by the engine for an analyst to decide.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    /// One item (index into the input's items).
    pub a: usize,
    /// The other.
    pub b: usize,
    /// The engine's match probability.
    pub probability: f64,
    /// Whether the engine linked them (accept or reject), or only finds them possibly the
    /// same (merge or reject).
    pub linked: bool,
}

/// The picture of the intelligence of some areas.
#[derive(Debug)]
pub struct Picture {
    /// What it was built from.
    pub input: AnalysisInput,
    linker: Linker,
    /// Item index of each mention.
    persons: Vec<usize>,
    /// Mention index of each person item.
    mention_of: HashMap<usize, u32>,
    /// The subjects, by key.
    pub subjects: Vec<Subject>,
    subject_of: HashMap<usize, usize>,
    /// Vehicles, phones, addresses and places, by node.
    pub things: HashMap<NodeId, Thing>,
    /// The link graph.
    pub graph: LinkGraph,
    /// The links awaiting an analyst's decision: possible matches, most probable first, then
    /// the engine's links, least certain first.
    pub proposals: Vec<Proposal>,
    /// The latest decision for each pair of items (index into the input's decisions).
    latest: HashMap<(String, String), usize>,
    item_index: HashMap<String, usize>,
}

/// The form a postcode is stored in for locations (`B1 1AA`); `None` for a partial or
/// non-UK postcode.
pub fn postcode_key(raw: &str) -> Option<String> {
    let p = normalise_postcode(raw)?;
    p.sector.is_some().then_some(p.full)
}

fn is_person(item: &Item) -> bool {
    matches!(item.kind, Some(ItemKind::Person | ItemKind::Caller))
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

/// Builds the mention of a person item. When the submission describes one person only,
/// its phone, vehicle and address are taken as theirs, which is what lets a nickname in
/// one report meet a full name in another.
fn mention_of_person(id: &str, person: &Item, context: &[&Item]) -> Mention {
    let mut m = Mention::new(id);
    let mut set = |field, value: &str| {
        // A value the engine cannot use is left out, as a blank one is.
        let _ = m.set(field, value);
    };
    // One word is a given name as practitioners write it ("Jamal"), not a surname.
    if person.name.split_whitespace().count() == 1 {
        set(Field::FirstName, &person.name);
    } else {
        set(Field::FullName, &person.name);
    }
    if let Some(first) = person
        .nicknames
        .split(',')
        .map(str::trim)
        .find(|n| !n.is_empty())
    {
        set(Field::Nickname, first);
    }
    let first_of = |kind| context.iter().find(|i| i.kind == Some(kind));
    if let Some(p) = first_of(ItemKind::Phone) {
        set(Field::Phone, &p.phone);
    }
    if let Some(v) = first_of(ItemKind::Vehicle) {
        set(Field::Vrm, &v.vrm);
        set(Field::Make, &v.make);
        set(Field::Model, &v.model);
        set(Field::Colour, &v.colour);
    }
    if let Some(a) = first_of(ItemKind::Address) {
        set(Field::Address, &a.address);
        set(Field::Postcode, &a.postcode);
    }
    m
}

/// The graph key of a vehicle, phone, address or place item, with its node kind.
/// Vehicles are keyed by their plate with confusable characters folded; a partial plate
/// takes the key of the one complete plate it fits, when exactly one does.
fn thing_keys(input: &AnalysisInput) -> HashMap<usize, (NodeKind, String)> {
    let mut out = HashMap::new();
    let mut complete: Vec<safehub_intel::normalise::Vrm> = Vec::new();
    let mut partial = Vec::new();
    for (k, it) in input.items.iter().enumerate() {
        let item = &it.item;
        match item.kind {
            Some(ItemKind::Vehicle) => {
                if let Some(v) = normalise_vrm(&item.vrm) {
                    if v.plate.contains('?') {
                        partial.push((k, v));
                    } else {
                        out.insert(k, (NodeKind::Vehicle, v.folded.clone()));
                        complete.push(v);
                    }
                }
            }
            Some(ItemKind::Phone) => {
                if let Some(p) = normalise_phone(&item.phone) {
                    out.insert(k, (NodeKind::Phone, p));
                }
            }
            Some(kind @ (ItemKind::Address | ItemKind::Place)) => {
                let address = normalise_address(&item.address);
                let postcode = normalise_postcode(&item.postcode).map(|p| p.full);
                if !address.is_empty() || postcode.is_some() {
                    let node = if kind == ItemKind::Place {
                        NodeKind::Place
                    } else {
                        NodeKind::Address
                    };
                    let key = format!("{address}|{}", postcode.unwrap_or_default());
                    out.insert(k, (node, key));
                }
            }
            _ => {}
        }
    }
    complete.sort_by(|a, b| a.folded.cmp(&b.folded));
    complete.dedup_by(|a, b| a.folded == b.folded);
    for (k, v) in partial {
        let fits: Vec<&str> = complete
            .iter()
            .filter(|c| matches!(compare_vrm(&v, c), VrmMatch::Partial(_)))
            .map(|c| c.folded.as_str())
            .collect();
        let key = match fits.as_slice() {
            [only] => (*only).to_owned(),
            _ => v.folded,
        };
        out.insert(k, (NodeKind::Vehicle, key));
    }
    out
}

/// A short label for a thing item.
fn thing_label(item: &Item) -> String {
    match item.kind {
        Some(ItemKind::Vehicle) => {
            let about: Vec<&str> = [&item.colour, &item.make, &item.model]
                .into_iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect();
            if about.is_empty() {
                item.vrm.trim().to_owned()
            } else {
                format!("{} ({})", item.vrm.trim(), about.join(" "))
            }
        }
        Some(ItemKind::Phone) => item.phone.trim().to_owned(),
        _ => [item.address.trim(), item.postcode.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A short label for a subject: its most given name, and its most given nickname (the
/// fuller one when as many give each).
fn subject_label(input: &AnalysisInput, members: &[usize]) -> String {
    let most = |values: Vec<String>| -> Option<String> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for v in values {
            *counts.entry(v).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by(|a, b| {
                a.1.cmp(&b.1)
                    .then(a.0.len().cmp(&b.0.len()))
                    .then(b.0.cmp(&a.0))
            })
            .map(|(v, _)| v)
    };
    let names = members
        .iter()
        .map(|&m| input.items[m].item.name.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    let nicknames = members
        .iter()
        .flat_map(|&m| {
            input.items[m]
                .item
                .nicknames
                .split(',')
                .map(|n| n.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|n| !n.is_empty())
        .collect();
    match (most(names), most(nicknames)) {
        (Some(n), Some(k)) => format!("{n} ({k})"),
        (Some(n), None) => n,
        (None, Some(k)) => format!("\u{201c}{k}\u{201d}"),
        (None, None) => "Name not known".to_owned(),
    }
}

impl Picture {
    /// Builds the picture of what `input` holds.
    pub fn build(input: AnalysisInput) -> Picture {
        let item_index: HashMap<String, usize> = input
            .items
            .iter()
            .enumerate()
            .map(|(k, i)| (i.id.clone(), k))
            .collect();
        let mut by_submission: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (k, i) in input.items.iter().enumerate() {
            by_submission.entry(&i.submission_id).or_default().push(k);
        }
        // The persons mentioned, each with the context of its submission.
        let mut persons = Vec::new();
        let mut mentions = Vec::new();
        for items in by_submission.values() {
            let people: Vec<usize> = items
                .iter()
                .copied()
                .filter(|&k| is_person(&input.items[k].item))
                .collect();
            let context: Vec<&Item> = if people.len() == 1 {
                items.iter().map(|&k| &input.items[k].item).collect()
            } else {
                Vec::new()
            };
            for k in people {
                mentions.push(mention_of_person(
                    &input.items[k].id,
                    &input.items[k].item,
                    &context,
                ));
                persons.push(k);
            }
        }
        let mention_of: HashMap<usize, u32> = persons
            .iter()
            .enumerate()
            .map(|(m, &k)| (k, m as u32))
            .collect();
        // The latest decision for each pair wins; they all reach the engine.
        let mut latest = HashMap::new();
        for (d, decision) in input.decisions.iter().enumerate() {
            latest.insert(pair(&decision.item_a, &decision.item_b), d);
        }
        let decisions = latest
            .values()
            .map(|&d| {
                let x: &LinkDecision = &input.decisions[d];
                Decision {
                    a: x.item_a.clone(),
                    b: x.item_b.clone(),
                    same: x.verdict == Verdict::Same,
                }
            })
            .collect();
        let options = LinkOptions {
            decisions,
            background: BACKGROUND,
            sample_pairs: SAMPLE_PAIRS,
            max_block: MAX_BLOCK,
            ..LinkOptions::default()
        };
        let linker = Linker::fit(mentions, &options);
        let (labels, _) = linker.cluster();

        // Subjects: the clusters, each keyed by its first member's id.
        let mut clusters: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (m, &label) in labels.iter().enumerate() {
            clusters.entry(label).or_default().push(persons[m]);
        }
        let mut groups: Vec<Vec<usize>> = clusters
            .into_values()
            .map(|mut members| {
                members.sort_by(|&a, &b| input.items[a].id.cmp(&input.items[b].id));
                members
            })
            .collect();
        groups.sort_by(|a, b| input.items[a[0]].id.cmp(&input.items[b[0]].id));

        let mut builder = GraphBuilder::new();
        let mut subjects = Vec::new();
        let mut subject_of = HashMap::new();
        for members in groups {
            let key = input.items[members[0]].id.clone();
            let label = subject_label(&input, &members);
            let area = input.items[members[0]].area.to_string();
            let node = builder.add_node(NodeKind::Subject, &key, Some(&label), Some(&area));
            for &m in &members {
                subject_of.insert(m, subjects.len());
            }
            subjects.push(Subject { key, members, node });
        }

        let keys = thing_keys(&input);
        let mut things: HashMap<NodeId, Thing> = HashMap::new();
        let mut children_of: HashMap<&str, Vec<String>> = HashMap::new();
        for (s, c) in &input.children {
            children_of.entry(s).or_default().push(c.to_string());
        }
        for (submission, items) in &by_submission {
            let area = input.items[items[0]].area.to_string();
            let mut people: Vec<NodeId> = Vec::new();
            let mut others: Vec<(NodeId, &'static str)> = Vec::new();
            for &k in items {
                if let Some(&s) = subject_of.get(&k) {
                    people.push(subjects[s].node);
                } else if let Some((kind, key)) = keys.get(&k) {
                    let label = thing_label(&input.items[k].item);
                    let node = builder.add_node(*kind, key, Some(&label), Some(&area));
                    things
                        .entry(node)
                        .or_insert_with(|| Thing {
                            kind: *kind,
                            items: Vec::new(),
                        })
                        .items
                        .push(k);
                    others.push((node, kind_reason(*kind)));
                }
            }
            let children: Vec<NodeId> = children_of
                .get(submission)
                .into_iter()
                .flatten()
                .map(|c| builder.add_node(NodeKind::Child, c, None, Some(&area)))
                .collect();
            people.sort_unstable();
            people.dedup();
            let mut link = |a: NodeId, b: NodeId, reason: &str| {
                // Both ends were handed out by this builder and differ, so this cannot fail.
                if a != b {
                    let _ = builder.add_edge(a, b, submission, reason);
                }
            };
            for &p in &people {
                for &c in &children {
                    link(p, c, "the child is named in the same submission");
                }
                for &(o, reason) in &others {
                    link(p, o, reason);
                }
                for &q in &people {
                    if p < q {
                        link(p, q, "named together in one submission");
                    }
                }
            }
            if people.is_empty() {
                // A car seen collecting a child links the two without a named person.
                for &(o, reason) in &others {
                    for &c in &children {
                        link(o, c, reason);
                    }
                }
                if children.is_empty() {
                    for (x, &(o, _)) in others.iter().enumerate() {
                        for &(p, _) in &others[x + 1..] {
                            link(o, p, "mentioned together in one submission");
                        }
                    }
                }
            }
        }
        let graph = builder.build();
        let proposals = proposals(&linker, &labels, &persons, &input, &latest);
        Picture {
            input,
            linker,
            persons,
            mention_of,
            subjects,
            subject_of,
            things,
            graph,
            proposals,
            latest,
            item_index,
        }
    }

    /// The index of an item by id.
    pub fn item(&self, id: &str) -> Option<usize> {
        self.item_index.get(id).copied()
    }

    /// The subject an item (by index) belongs to.
    pub fn subject_of(&self, item: usize) -> Option<&Subject> {
        self.subject_of.get(&item).map(|&s| &self.subjects[s])
    }

    /// The label of a subject.
    pub fn label(&self, subject: &Subject) -> &str {
        self.graph.node(subject.node).display()
    }

    /// Why the engine finds two person items the same or not; `None` unless both are
    /// persons.
    pub fn explain(&self, a: usize, b: usize) -> Option<Explanation> {
        let (&ma, &mb) = (self.mention_of.get(&a)?, self.mention_of.get(&b)?);
        Some(self.linker.explain_pair(ma, mb))
    }

    /// The latest decision about two items, if any.
    pub fn decision(&self, a: &str, b: &str) -> Option<&LinkDecision> {
        self.latest
            .get(&pair(a, b))
            .map(|&d| &self.input.decisions[d])
    }

    /// Every decision (kept, oldest first) about two members of one subject, or a member
    /// and someone else.
    pub fn decisions_about(&self, subject: &Subject) -> Vec<&LinkDecision> {
        let ids: HashSet<&str> = subject
            .members
            .iter()
            .map(|&m| self.input.items[m].id.as_str())
            .collect();
        self.input
            .decisions
            .iter()
            .filter(|d| ids.contains(d.item_a.as_str()) || ids.contains(d.item_b.as_str()))
            .collect()
    }

    /// Whether an item is a person mentioned.
    pub fn is_person(&self, item: usize) -> bool {
        self.mention_of.contains_key(&item)
    }

    /// How many persons mentioned went into the subjects.
    pub fn persons(&self) -> usize {
        self.persons.len()
    }
}

fn kind_reason(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Vehicle => "vehicle in the same submission",
        NodeKind::Phone => "phone number in the same submission",
        NodeKind::Address => "address in the same submission",
        NodeKind::Place => "place in the same submission",
        NodeKind::Child | NodeKind::Subject => "in the same submission",
    }
}

/// The links for an analyst to decide: within each subject, the strongest links that hold
/// it together (a spanning tree, decided links first) not yet decided; between subjects,
/// the most probable undecided pair of each two subjects at or above [`REVIEW_FLOOR`].
fn proposals(
    linker: &Linker,
    labels: &[u32],
    persons: &[usize],
    input: &AnalysisInput,
    latest: &HashMap<(String, String), usize>,
) -> Vec<Proposal> {
    let id = |m: u32| input.items[persons[m as usize]].id.as_str();
    let decided = |i: u32, j: u32| {
        latest
            .get(&pair(id(i), id(j)))
            .map(|&d| &input.decisions[d])
    };
    let mut within: Vec<(f64, u32, u32)> = Vec::new();
    let mut between: HashMap<(u32, u32), (f64, u32, u32)> = HashMap::new();
    for (i, j, p) in linker.pair_probabilities() {
        let (li, lj) = (labels[i as usize], labels[j as usize]);
        match decided(i, j) {
            Some(d) if d.verdict == Verdict::Same => within.push((2.0, i, j)),
            Some(_) => {}
            None if p < REVIEW_FLOOR => {}
            None if li == lj => within.push((p, i, j)),
            None => {
                let key = (li.min(lj), li.max(lj));
                let best = between.entry(key).or_insert((p, i, j));
                if p > best.0 {
                    *best = (p, i, j);
                }
            }
        }
    }
    // Confirmed links join mentions the engine never compared, so they go in too.
    let mention: HashMap<&str, u32> = persons
        .iter()
        .enumerate()
        .map(|(m, &k)| (input.items[k].id.as_str(), m as u32))
        .collect();
    for d in latest.values().map(|&d| &input.decisions[d]) {
        if d.verdict != Verdict::Same {
            continue;
        }
        if let (Some(&i), Some(&j)) = (
            mention.get(d.item_a.as_str()),
            mention.get(d.item_b.as_str()),
        ) {
            within.push((2.0, i, j));
        }
    }
    within.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let mut parent: Vec<u32> = (0..labels.len() as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    let mut out = Vec::new();
    for (p, i, j) in within {
        let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
        if ri == rj {
            continue;
        }
        parent[ri as usize] = rj;
        if p <= 1.0 {
            out.push(Proposal {
                a: persons[i as usize],
                b: persons[j as usize],
                probability: p,
                linked: true,
            });
        }
    }
    let mut between: Vec<_> = between.into_values().collect();
    between.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    out.extend(between.into_iter().map(|(p, i, j)| Proposal {
        a: persons[i as usize],
        b: persons[j as usize],
        probability: p,
        linked: false,
    }));
    // The judgement calls first: possible matches, most probable first; then the engine's
    // links, least certain first.
    out.sort_by(|x, y| match (x.linked, y.linked) {
        (false, false) => y.probability.total_cmp(&x.probability),
        (true, true) => x.probability.total_cmp(&y.probability),
        (linked, _) => linked.cmp(&!linked),
    });
    out
}

/// The places a child was taken (and addresses) with a known postcode location, as points
/// for the hotspot analysis, dated when the item was seen (else when it was received).
pub fn place_points(input: &AnalysisInput) -> Vec<Point> {
    input
        .items
        .iter()
        .filter(|i| matches!(i.item.kind, Some(ItemKind::Place | ItemKind::Address)))
        .filter_map(|i| {
            let (x, y) = *input.locations.get(&postcode_key(&i.item.postcode)?)?;
            let date = i.item.seen_on.map(|d| d.to_string()).or_else(|| {
                jiff::Timestamp::from_millisecond(i.received_at)
                    .ok()
                    .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
            });
            Some(Point {
                x,
                y,
                at: date.and_then(|d| parse_timestamp(&d).ok()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use safehub_domain::AreaId;
    use safehub_store::intelligence::analysis::AnalysisItem;

    fn item(submission: &str, position: usize, area: AreaId, item: Item) -> AnalysisItem {
        AnalysisItem {
            id: format!("{submission}/{position}"),
            submission_id: submission.into(),
            area,
            received_at: 0,
            item,
        }
    }

    /// Jamal Reid ("Jay") in three submissions, his phone written three ways; Kieran once.
    fn jamal() -> AnalysisInput {
        let area = AreaId::new();
        AnalysisInput {
            items: vec![
                item("s1", 0, area, Item::person("Jamal Reid", "Jay")),
                item("s1", 1, area, Item::phone("07700 900123")),
                item("s2", 0, area, Item::person("", "Jay")),
                item("s2", 1, area, Item::phone("+44 7700 900123")),
                item("s2", 2, area, Item::vehicle("AB12 C?E")),
                item("s3", 0, area, Item::person("Jamal", "Jay")),
                item("s3", 1, area, Item::phone("07700900123")),
                item("s3", 2, area, Item::vehicle("AB12 CDE")),
                item("s4", 0, area, Item::person("Kieran Moss", "Kez")),
                item("s4", 1, area, Item::phone("07700 900999")),
            ],
            ..AnalysisInput::default()
        }
    }

    // R5.2, WM-25.1: a handful of reports still resolve one person seen under a nickname,
    // with his phone in three formats and his car as a partial plate.
    #[test]
    fn a_few_reports_resolve_one_person_and_his_car() {
        let p = Picture::build(jamal());
        let why = p.explain(2, 5).expect("persons").to_string();
        assert!(why.contains("partial plate: 1 unknown character"), "{why}");
        assert!(why.contains("phone: same after normalisation"), "{why}");
        assert!(p.explain(0, 1).is_none(), "a phone is not a person");
        assert_eq!(p.subjects.len(), 2, "{:?}", p.subjects);
        let s = p.subject_of(0).expect("subject");
        assert_eq!(s.members, vec![0, 2, 5]);
        assert_eq!(p.label(s), "Jamal Reid (Jay)");
        // The partial plate is the same car as the whole one.
        let cars: Vec<&Thing> = p
            .things
            .values()
            .filter(|t| t.kind == NodeKind::Vehicle)
            .collect();
        assert_eq!(cars.len(), 1);
        assert_eq!(cars[0].items, vec![4, 7]);
    }

    // R5.2: in a force's reports a nickname given in many of them ("Jay" in 80) still
    // brings them together for an analyst to review, though a key that common proposes no
    // pairs when linking millions of records in bulk.
    #[test]
    fn a_common_nickname_is_still_reviewed() {
        let area = AreaId::new();
        let items = (0..80)
            .map(|i| item(&format!("s{i}"), 0, area, Item::person("", "Jay")))
            .collect();
        let p = Picture::build(AnalysisInput {
            items,
            ..AnalysisInput::default()
        });
        assert!(!p.proposals.is_empty(), "nothing proposed");
        let bulk = safehub_intel::LinkOptions::default().max_block;
        assert!(bulk < 80, "the bulk default would not propose these");
    }
}
