//! The analysts' pages (R5.2, R7.2, WM-25.1, WM-27.1): the links the engine proposes, to
//! accept, merge or reject; subjects linked to two or more children and the networks; a
//! subject's profile with the evidence of every link and its network as a picture and a
//! table; and the hotspot map with time charts. Police intelligence only (R8.2); every
//! view and decision is audited.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use safehub_domain::ChildId;
use safehub_intel::{HotspotOptions, NodeId, NodeKind, Route};
use safehub_store::AuditAction;
use safehub_store::audit::{self, RecordKind};
use safehub_store::intelligence::analysis::{self, Verdict};
use serde::Deserialize;

use super::{london_time, render};
use crate::AppState;
use crate::analysis::{Picture, Proposal, Subject, drawing, place_points};
use crate::client::Client;
use crate::error::AppError;
use crate::guard;
use crate::layout::Layout;
use crate::posted::Posted;
use crate::session::SignedIn;

/// Proposals on one page of the review list.
const PROPOSALS_SHOWN: usize = 50;
/// Nodes drawn in a network picture.
const NETWORK_DRAWN: usize = 40;
/// The hotspot cell size unless another is asked for, in metres.
const DEFAULT_CELL: f64 = 500.0;

/// A subject's address in the pages: its key with `/` written as `.`.
fn subject_href(key: &str) -> String {
    format!("/intelligence/subjects/{}", key.replace('/', "."))
}

/// One person mentioned, as a line of a page.
pub struct PersonLine {
    item: String,
    submission: String,
    received: String,
    area: String,
    name: String,
    nicknames: String,
    details: String,
}

async fn person_line(state: &AppState, p: &Picture, k: usize) -> Result<PersonLine, AppError> {
    let it = &p.input.items[k];
    let details = [
        it.item.approx_age.map(|a| format!("about {a}")),
        Some(it.item.description.trim().to_owned()).filter(|d| !d.is_empty()),
        Some(it.item.marks.trim().to_owned()).filter(|d| !d.is_empty()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("; ");
    Ok(PersonLine {
        item: it.id.clone(),
        submission: it.submission_id.clone(),
        received: london_time(it.received_at),
        area: state.directory().area_name(state.store(), it.area).await?,
        name: if it.item.name.trim().is_empty() {
            "Not given".into()
        } else {
            it.item.name.trim().to_owned()
        },
        nicknames: it.item.nicknames.trim().to_owned(),
        details,
    })
}

/// One line of the engine's evidence.
pub struct EvidenceLine {
    comparison: &'static str,
    finding: String,
    weight: String,
}

fn evidence(p: &Picture, a: usize, b: usize) -> (String, Vec<EvidenceLine>) {
    let Some(e) = p.explain(a, b) else {
        return (String::new(), Vec::new());
    };
    let lines = e
        .evidence
        .iter()
        .filter(|l| l.finding != "missing")
        .map(|l| EvidenceLine {
            comparison: l.comparison,
            finding: l.finding.clone(),
            weight: format!("{:+.1}", l.weight),
        })
        .collect();
    (format!("{:.0}%", e.probability * 100.0), lines)
}

/// A proposed link as shown for a decision.
pub struct ProposalView {
    a: String,
    b: String,
    people: Vec<PersonLine>,
    probability: String,
    linked: bool,
    evidence: Vec<EvidenceLine>,
    subject: String,
}

async fn proposal_view(
    state: &AppState,
    p: &Picture,
    x: &Proposal,
) -> Result<ProposalView, AppError> {
    let (probability, evidence) = evidence(p, x.a, x.b);
    Ok(ProposalView {
        a: p.input.items[x.a].id.clone(),
        b: p.input.items[x.b].id.clone(),
        people: vec![
            person_line(state, p, x.a).await?,
            person_line(state, p, x.b).await?,
        ],
        probability,
        linked: x.linked,
        evidence,
        subject: p
            .subject_of(x.a)
            .map(|s| subject_href(&s.key))
            .unwrap_or_default(),
    })
}

#[derive(Template)]
#[template(path = "analysis_links.html")]
struct LinksPage {
    layout: Layout,
    proposals: Vec<ProposalView>,
    total: usize,
    persons: usize,
    subjects: usize,
    back: String,
}

/// GET /intelligence/links: the links the engine proposes, possible matches first, for an
/// analyst to accept, merge or reject (R5.2).
pub async fn links(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
) -> Result<Response, AppError> {
    let p = guard::analyse(&state, &who.principal, &client).await?;
    let mut proposals = Vec::new();
    for x in p.proposals.iter().take(PROPOSALS_SHOWN) {
        proposals.push(proposal_view(&state, &p, x).await?);
    }
    record_view(
        &state,
        &who,
        &client,
        RecordKind::IntelAnalysis,
        None,
        serde_json::json!({ "view": "proposed links", "shown": proposals.len() }),
    )
    .await?;
    render(&LinksPage {
        layout: who.layout(&state, "Proposed links", "/intelligence/subjects"),
        total: p.proposals.len(),
        persons: p.persons(),
        subjects: p.subjects.len(),
        proposals,
        back: "/intelligence/links".into(),
    })
}

async fn record_view(
    state: &AppState,
    who: &SignedIn,
    client: &Client,
    kind: RecordKind,
    id: Option<String>,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    let e = guard::entry(
        &who.principal,
        AuditAction::View,
        kind,
        id,
        None,
        client,
        detail,
    );
    state.store().record(e).await?;
    Ok(())
}

/// An analyst's decision as posted.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
    /// `subject`: take `a` out of its subject, a rejection against every other member.
    #[serde(default)]
    split: String,
}

/// POST /intelligence/links/decision: accept, merge or reject a link between two persons
/// mentioned. Kept with who and when; the latest for a pair wins over the engine (R5.2).
pub async fn decide(
    State(state): State<AppState>,
    posted: Posted<SignedIn, DecisionForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let p = guard::analyse(&state, &who.principal, &client).await?;
    // Both persons must be in what this analyst may read; anything else is not found.
    let (Some(a), Some(b)) = (p.item(form.a.trim()), p.item(form.b.trim())) else {
        return Err(AppError::NotFound);
    };
    if a == b || !p.is_person(a) || !p.is_person(b) {
        return Err(AppError::NotFound);
    }
    let Some(verdict) = Verdict::from_code(form.verdict.trim()) else {
        return Err(AppError::BadRequest(
            "Choose whether they are the same person",
        ));
    };
    let reason: String = form.reason.trim().chars().take(1000).collect();
    // Taking a person out of a subject rejects the link to every other member, so that no
    // chain of other links keeps them in it.
    let others: Vec<usize> = match (form.split.as_str(), p.subject_of(a)) {
        ("subject", Some(s)) if verdict == Verdict::Different => {
            s.members.iter().copied().filter(|&m| m != a).collect()
        }
        _ => vec![b],
    };
    let ida = p.input.items[a].id.clone();
    let now = safehub_store::now_ms();
    let mut tx = state.store().begin().await?;
    let mut entries = Vec::new();
    for o in others {
        let idb = p.input.items[o].id.clone();
        let kept =
            analysis::record_decision(&mut tx, &ida, &idb, verdict, &reason, who.user.id, now)
                .await?;
        entries.push(guard::entry(
            &who.principal,
            AuditAction::Change,
            RecordKind::IntelLink,
            Some(kept.id.clone()),
            None,
            &client,
            serde_json::json!({ "a": ida, "b": idb, "verdict": verdict.code() }),
        ));
    }
    audit::append(&mut tx, &entries).await?;
    tx.commit().await?;
    // Only the analysis pages are places to go back to.
    let back =
        if form.back.starts_with("/intelligence/subjects/") || form.back == "/intelligence/links" {
            form.back.clone()
        } else {
            "/intelligence/links".to_owned()
        };
    Ok(Redirect::to(&back).into_response())
}

/// A subject in a list.
pub struct SubjectRow {
    href: String,
    label: String,
    children: usize,
    mentions: usize,
    areas: String,
}

/// A network in a list.
pub struct NetworkRow {
    href: String,
    key: String,
    size: usize,
    subjects: usize,
    children: usize,
    things: usize,
    areas: String,
}

#[derive(Template)]
#[template(path = "analysis_subjects.html")]
struct SubjectsPage {
    layout: Layout,
    subjects: Vec<SubjectRow>,
    all_subjects: usize,
    networks: Vec<NetworkRow>,
    proposals: usize,
}

async fn area_names(
    state: &AppState,
    p: &Picture,
    nodes: impl Iterator<Item = NodeId>,
) -> Result<String, AppError> {
    let codes: BTreeSet<&str> = nodes
        .filter_map(|n| p.graph.node(n).area.as_deref())
        .collect();
    let mut names = Vec::new();
    for c in codes {
        names.push(match c.parse() {
            Ok(area) => state.directory().area_name(state.store(), area).await?,
            Err(_) => c.to_owned(),
        });
    }
    names.sort();
    Ok(names.join(", "))
}

/// Networks up to this many nodes rank their subjects by betweenness; larger ones by links.
const BETWEENNESS_UP_TO: usize = 400;

/// The subject that holds a network together most: highest betweenness within the network
/// (up to [`BETWEENNESS_UP_TO`] nodes; Brandes' algorithm grows with nodes times links), or
/// else the most links; ties go to the first added.
fn key_subject(p: &Picture, n: &safehub_intel::Network) -> Option<NodeId> {
    let subjects = n
        .nodes
        .iter()
        .copied()
        .filter(|&x| p.graph.node(x).kind == NodeKind::Subject);
    if n.size() > BETWEENNESS_UP_TO {
        return subjects.max_by(|a, b| {
            p.graph
                .neighbours(*a)
                .len()
                .cmp(&p.graph.neighbours(*b).len())
                .then(b.cmp(a))
        });
    }
    // The network alone, as a graph of its own.
    let mut builder = safehub_intel::GraphBuilder::new();
    let local: HashMap<NodeId, NodeId> = n
        .nodes
        .iter()
        .map(|&x| {
            let node = p.graph.node(x);
            (x, builder.add_node(node.kind, &node.key, None, None))
        })
        .collect();
    for &e in &n.edges {
        let edge = p.graph.edge(e);
        // Both ends are in the network and differ, so this cannot fail.
        let _ = builder.add_edge(local[&edge.a], local[&edge.b], "", "");
    }
    let within = builder.build().betweenness();
    subjects.max_by(|a, b| {
        within[local[a].index()]
            .total_cmp(&within[local[b].index()])
            .then(b.cmp(a))
    })
}

/// GET /intelligence/subjects: subjects linked to two or more children, and the networks,
/// largest first (WM-27.1).
pub async fn subjects(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
) -> Result<Response, AppError> {
    let p = guard::analyse(&state, &who.principal, &client).await?;
    let by_node: HashMap<NodeId, &Subject> = p.subjects.iter().map(|s| (s.node, s)).collect();
    let mut rows = Vec::new();
    for links in p.graph.subjects_with_multiple_children() {
        let Some(s) = by_node.get(&links.subject) else {
            continue;
        };
        let nodes = std::iter::once(links.subject).chain(links.children.iter().map(|c| c.child));
        rows.push(SubjectRow {
            href: subject_href(&s.key),
            label: p.label(s).to_owned(),
            children: links.children.len(),
            mentions: s.members.len(),
            areas: area_names(&state, &p, nodes).await?,
        });
    }
    rows.sort_by(|a, b| b.children.cmp(&a.children).then(a.label.cmp(&b.label)));
    let mut networks = Vec::new();
    for n in p
        .graph
        .networks()
        .into_iter()
        .filter(|n| n.counts.get(NodeKind::Subject) > 0)
    {
        if networks.len() == 20 {
            break;
        }
        let Some(key) = key_subject(&p, &n).and_then(|node| by_node.get(&node).copied()) else {
            continue;
        };
        networks.push(NetworkRow {
            href: format!("{}#network", subject_href(&key.key)),
            key: p.label(key).to_owned(),
            size: n.size(),
            subjects: n.counts.get(NodeKind::Subject),
            children: n.counts.get(NodeKind::Child),
            things: n.size() - n.counts.get(NodeKind::Subject) - n.counts.get(NodeKind::Child),
            areas: area_names(&state, &p, n.nodes.iter().copied()).await?,
        });
    }
    record_view(
        &state,
        &who,
        &client,
        RecordKind::IntelAnalysis,
        None,
        serde_json::json!({ "view": "subjects and networks", "subjects": rows.len(), "networks": networks.len() }),
    )
    .await?;
    render(&SubjectsPage {
        layout: who.layout(&state, "Subjects and networks", "/intelligence/subjects"),
        all_subjects: p.subjects.len(),
        proposals: p.proposals.len(),
        subjects: rows,
        networks,
    })
}

/// A member of a subject with the evidence that links it to its closest fellow member.
pub struct MemberView {
    person: PersonLine,
    closest: Option<String>,
    probability: String,
    evidence: Vec<EvidenceLine>,
}

/// A vehicle, phone, address or place of a subject.
pub struct ThingRow {
    kind: &'static str,
    label: String,
    submissions: Vec<String>,
}

/// A child linked to a subject.
pub struct ChildRow {
    href: Option<String>,
    name: String,
    how: Vec<String>,
}

/// A link in the network table.
pub struct LinkRow {
    from: String,
    to: String,
    why: String,
    sources: usize,
}

/// A kept decision.
pub struct DecisionRow {
    when: String,
    verdict: &'static str,
    between: String,
    reason: String,
    by: String,
}

#[derive(Template)]
#[template(path = "analysis_subject.html")]
struct SubjectPage {
    layout: Layout,
    href: String,
    label: String,
    names: String,
    nicknames: String,
    members: Vec<MemberView>,
    things: Vec<ThingRow>,
    children: Vec<ChildRow>,
    proposals: Vec<ProposalView>,
    decisions: Vec<DecisionRow>,
    svg: String,
    drawn: usize,
    network_size: usize,
    links: Vec<LinkRow>,
}

fn node_kind_label(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Child => "Child",
        NodeKind::Subject => "Subject",
        NodeKind::Vehicle => "Vehicle",
        NodeKind::Phone => "Phone",
        NodeKind::Address => "Address",
        NodeKind::Place => "Place",
    }
}

/// GET /intelligence/subjects/{id}: a subject's profile (R5.2, WM-27.1): aliases, the
/// persons mentioned with the evidence linking them, vehicles, phones, addresses and places,
/// linked children, kept decisions, proposals, and the network as a picture and a table.
pub async fn subject(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = guard::analyse(&state, &who.principal, &client).await?;
    let item_id: String = id.chars().take(80).collect::<String>().replace('.', "/");
    let Some(s) = p.item(&item_id).and_then(|k| p.subject_of(k)) else {
        record_view(
            &state,
            &who,
            &client,
            RecordKind::IntelSubject,
            Some(item_id),
            serde_json::json!({ "found": false }),
        )
        .await?;
        return Err(AppError::NotFound);
    };
    let href = subject_href(&s.key);
    let items = |f: fn(&safehub_domain::intelligence::Item) -> &str| -> String {
        let set: BTreeSet<String> = s
            .members
            .iter()
            .flat_map(|&m| {
                f(&p.input.items[m].item)
                    .split(',')
                    .map(|x| x.trim().to_owned())
                    .collect::<Vec<_>>()
            })
            .filter(|x| !x.is_empty())
            .collect();
        set.into_iter().collect::<Vec<_>>().join(", ")
    };
    let names = items(|i| &i.name);
    let nicknames = items(|i| &i.nicknames);
    let mut members = Vec::new();
    for &m in &s.members {
        let closest = s
            .members
            .iter()
            .filter(|&&o| o != m)
            .filter_map(|&o| p.explain(m, o).map(|e| (e.log2_odds, o)))
            .max_by(|x, y| x.0.total_cmp(&y.0));
        let (probability, lines, closest) = match closest {
            Some((_, o)) => {
                let (pr, lines) = evidence(&p, m, o);
                (pr, lines, Some(p.input.items[o].id.clone()))
            }
            None => (String::new(), Vec::new(), None),
        };
        members.push(MemberView {
            person: person_line(&state, &p, m).await?,
            closest,
            probability,
            evidence: lines,
        });
    }
    let mut things = Vec::new();
    for &(n, e) in p.graph.neighbours(s.node) {
        let node = p.graph.node(n);
        if !node.kind.is_intermediate() {
            continue;
        }
        things.push(ThingRow {
            kind: node_kind_label(node.kind),
            label: node.display().to_owned(),
            submissions: p
                .graph
                .edge(e)
                .evidence
                .iter()
                .map(|x| x.source.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        });
    }
    things.sort_by(|a, b| (a.kind, &a.label).cmp(&(b.kind, &b.label)));
    // Children: named only where this user may open the record.
    let linked = p
        .graph
        .subjects_linked_to_children(1)
        .into_iter()
        .find(|l| l.subject == s.node)
        .map(|l| l.children)
        .unwrap_or_default();
    let network = p
        .graph
        .networks()
        .into_iter()
        .find(|n| n.nodes.contains(&s.node));
    let network_nodes = network
        .as_ref()
        .map(|n| n.nodes.clone())
        .unwrap_or_else(|| vec![s.node]);
    let child_ids: Vec<ChildId> = network_nodes
        .iter()
        .filter(|&&n| p.graph.node(n).kind == NodeKind::Child)
        .filter_map(|&n| p.graph.node(n).key.parse().ok())
        .collect();
    let named = guard::name_children(&state, &who.principal, &child_ids).await?;
    let display = |n: NodeId| -> String {
        let node = p.graph.node(n);
        if node.kind == NodeKind::Child {
            node.key
                .parse::<ChildId>()
                .ok()
                .and_then(|c| named.get(&c).cloned())
                .unwrap_or_else(|| "A child whose record you may not open".into())
        } else {
            node.display().to_owned()
        }
    };
    let mut children = Vec::new();
    for l in &linked {
        let node = p.graph.node(l.child);
        let how = l
            .routes
            .iter()
            .map(|r| match *r {
                Route::Direct { edge } => format!(
                    "named with the child in {} submission{}",
                    p.graph.edge(edge).weight,
                    if p.graph.edge(edge).weight == 1 {
                        ""
                    } else {
                        "s"
                    }
                ),
                Route::Via { node, .. } => format!(
                    "through the {} {}",
                    p.graph.node(node).kind.as_str(),
                    p.graph.node(node).display()
                ),
            })
            .collect();
        let open = node
            .key
            .parse::<ChildId>()
            .ok()
            .filter(|c| named.contains_key(c));
        children.push(ChildRow {
            href: open.map(|c| format!("/children/{c}")),
            name: display(l.child),
            how,
        });
    }
    let mut proposals = Vec::new();
    for x in p
        .proposals
        .iter()
        .filter(|x| s.members.contains(&x.a) || s.members.contains(&x.b))
        .take(20)
    {
        proposals.push(proposal_view(&state, &p, x).await?);
    }
    let mut decisions = Vec::new();
    for d in p.decisions_about(s).into_iter().rev() {
        let name_of = |id: &str| {
            p.item(id)
                .map(|k| {
                    let i = &p.input.items[k].item;
                    if i.name.trim().is_empty() {
                        i.nicknames.trim().to_owned()
                    } else {
                        i.name.trim().to_owned()
                    }
                })
                .unwrap_or_default()
        };
        decisions.push(DecisionRow {
            when: london_time(d.decided_at),
            verdict: match d.verdict {
                Verdict::Same => "Same person",
                Verdict::Different => "Different people",
            },
            between: format!("{} and {}", name_of(&d.item_a), name_of(&d.item_b)),
            reason: d.reason.clone(),
            by: state.store().user(d.decided_by).await?.display_name,
        });
    }
    let drawn = drawing::neighbourhood(&p.graph, s.node, NETWORK_DRAWN);
    let svg = drawing::network_svg(
        &p.graph,
        &drawn,
        display,
        "network",
        &format!("Network of {}", p.label(s)),
        &format!(
            "{} of the network's {} people, children, vehicles, phones and places, nearest to this subject. The table below lists every link between them.",
            drawn.len(),
            network_nodes.len()
        ),
    );
    // The table holds the links of the picture, so both say the same.
    let in_picture: BTreeSet<NodeId> = drawn.iter().copied().collect();
    let mut links = Vec::new();
    if let Some(n) = &network {
        for &e in &n.edges {
            let edge = p.graph.edge(e);
            if !(in_picture.contains(&edge.a) && in_picture.contains(&edge.b)) {
                continue;
            }
            let whys: BTreeSet<&str> = edge.evidence.iter().map(|x| x.reason.as_str()).collect();
            links.push(LinkRow {
                from: format!(
                    "{}: {}",
                    node_kind_label(p.graph.node(edge.a).kind),
                    display(edge.a)
                ),
                to: format!(
                    "{}: {}",
                    node_kind_label(p.graph.node(edge.b).kind),
                    display(edge.b)
                ),
                why: whys.into_iter().collect::<Vec<_>>().join("; "),
                sources: edge.weight,
            });
        }
    }
    record_view(
        &state,
        &who,
        &client,
        RecordKind::IntelSubject,
        Some(s.key.clone()),
        serde_json::json!({
            "mentions": s.members.len(),
            "children_named": named.keys().map(ToString::to_string).collect::<Vec<_>>(),
        }),
    )
    .await?;
    render(&SubjectPage {
        layout: who.layout(
            &state,
            &format!("Subject: {}", p.label(s)),
            "/intelligence/subjects",
        ),
        href,
        label: p.label(s).to_owned(),
        names,
        nicknames,
        members,
        things,
        children,
        proposals,
        decisions,
        svg,
        drawn: drawn.len(),
        network_size: network_nodes.len(),
        links,
    })
}

/// The hotspot page's query.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct HotspotQuery {
    #[serde(default)]
    cell: Option<String>,
}

/// A cell in the hotspot table.
pub struct CellRow {
    easting: i64,
    northing: i64,
    count: u64,
    z: String,
    p: String,
    reading: &'static str,
}

#[derive(Template)]
#[template(path = "analysis_hotspots.html")]
struct HotspotsPage {
    layout: Layout,
    cell: String,
    places: usize,
    located: usize,
    map: String,
    cells: Vec<CellRow>,
    months: String,
    weekdays: String,
    month_rows: Vec<(String, u64)>,
    weekday_rows: Vec<(String, u64)>,
    without_date: u64,
}

/// GET /intelligence/hotspots: where the places children were taken cluster (Getis-Ord
/// Gi* on a grid), and when, by month and weekday (WM-27.1).
pub async fn hotspots(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Query(q): Query<HotspotQuery>,
) -> Result<Response, AppError> {
    let p = guard::analyse(&state, &who.principal, &client).await?;
    let raw = q.cell.unwrap_or_default();
    let (cell, problem) = match raw.trim() {
        "" => (DEFAULT_CELL, None),
        t => match t.parse::<f64>() {
            Ok(c) if (50.0..=20_000.0).contains(&c) => (c, None),
            _ => (
                DEFAULT_CELL,
                Some("Enter a cell size in metres between 50 and 20000"),
            ),
        },
    };
    let places = p
        .input
        .items
        .iter()
        .filter(|i| {
            matches!(
                i.item.kind,
                Some(
                    safehub_domain::intelligence::ItemKind::Place
                        | safehub_domain::intelligence::ItemKind::Address
                )
            )
        })
        .count();
    let points = place_points(&p.input);
    let result = if points.is_empty() {
        None
    } else {
        safehub_intel::hotspots(&points, &HotspotOptions { cell_size_m: cell }).ok()
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let (cells, month_rows, weekday_rows, without_date, map) = match &result {
        Some(r) => {
            // Hottest first, in the order the engine gives cells of equal z.
            let mut hottest: Vec<&safehub_intel::Cell> = r.cells.iter().collect();
            hottest.sort_by(|a, b| b.gi_z.total_cmp(&a.gi_z));
            let cells: Vec<CellRow> = hottest
                .into_iter()
                .map(|c| CellRow {
                    easting: c.x as i64,
                    northing: c.y as i64,
                    count: c.count,
                    z: format!("{:.2}", c.gi_z),
                    p: format!("{:.3}", c.p_value),
                    reading: drawing::significance(c.gi_z),
                })
                .collect();
            (
                cells,
                MONTHS
                    .iter()
                    .zip(r.summary.by_month)
                    .map(|(m, c)| ((*m).to_owned(), c))
                    .collect::<Vec<_>>(),
                DAYS.iter()
                    .zip(r.summary.by_weekday)
                    .map(|(d, c)| ((*d).to_owned(), c))
                    .collect::<Vec<_>>(),
                r.summary.without_date,
                drawing::hotspot_map_svg("hotspots", "Hotspot map of places", &r.cells, cell),
            )
        }
        None => (Vec::new(), Vec::new(), Vec::new(), 0, String::new()),
    };
    record_view(
        &state,
        &who,
        &client,
        RecordKind::IntelAnalysis,
        None,
        serde_json::json!({ "view": "hotspots", "cell_size": cell, "points": points.len() }),
    )
    .await?;
    let mut layout = who.layout(&state, "Hotspots", "/intelligence/subjects");
    if let Some(message) = problem {
        layout.error("cell", message);
    }
    let page = HotspotsPage {
        layout,
        cell: if problem.is_some() {
            raw
        } else {
            format!("{cell}")
        },
        places,
        located: points.len(),
        months: drawing::bar_chart_svg("by-month", "Places by month", &month_rows),
        weekdays: drawing::bar_chart_svg("by-weekday", "Places by day of the week", &weekday_rows),
        map,
        cells,
        month_rows,
        weekday_rows,
        without_date,
    };
    if problem.is_some() {
        super::render_invalid(&page)
    } else {
        render(&page)
    }
}
