//! The link graph (issue 4, part A item 3; R5.2, R7.2, WM-27.1, WM-19.2).
//!
//! Pieces of intelligence ("this car was seen picking up child C3", "this phone is in
//! subject S1's and subject S2's records") become an undirected graph whose nodes are
//! children, subjects (suspected perpetrators: resolved person clusters from
//! [`linkage`](crate::linkage)), vehicles, phones, addresses and places. Every edge keeps
//! its evidence (the source or submission ids it rests on, each with a short reason) and a
//! weight (the number of distinct supporting sources), so that every finding can be traced
//! back to the submissions behind it.
//!
//! [`GraphBuilder`] dedupes nodes by (kind, key) and merges parallel edges, accumulating
//! their evidence; [`GraphBuilder::build`] gives a [`LinkGraph`] to query:
//! - [`LinkGraph::networks`]: connected components ("networks") with member counts by kind,
//!   largest first (WM-27.1 "organised networks");
//! - [`LinkGraph::subjects_with_multiple_children`]: subjects linked to two or more
//!   distinct children, directly or through one shared vehicle, phone, address or place,
//!   each link saying which (WM-27.1 "perpetrators linked to more than one child");
//! - [`LinkGraph::betweenness`] and [`LinkGraph::key_nodes`]: betweenness centrality
//!   (Brandes' algorithm, unweighted, normalised as `networkx.betweenness_centrality`) to
//!   rank the nodes that hold a network together;
//! - [`LinkGraph::cross_area_edges`] and [`LinkGraph::cross_area_networks`]: links and
//!   networks that cross local-authority borders (WM-19.2).
//!
//! Pure computation: no I/O, deterministic output (ties are broken by node id, which is the
//! order in which nodes were first added).

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;

/// The kind of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    /// A child at risk.
    Child,
    /// A subject: a suspected perpetrator (a resolved person cluster).
    Subject,
    /// A vehicle (normally keyed by its normalised registration).
    Vehicle,
    /// A phone number (normally keyed by its E.164 form).
    Phone,
    /// An address (normally keyed by a normalised address or UPRN).
    Address,
    /// A place (a park, a shop, a hotel where a child was taken).
    Place,
}

impl NodeKind {
    /// Every kind, in the order used by [`KindCounts`].
    pub const ALL: [NodeKind; 6] = [
        NodeKind::Child,
        NodeKind::Subject,
        NodeKind::Vehicle,
        NodeKind::Phone,
        NodeKind::Address,
        NodeKind::Place,
    ];

    /// Position of this kind in [`NodeKind::ALL`].
    pub fn index(self) -> usize {
        match self {
            NodeKind::Child => 0,
            NodeKind::Subject => 1,
            NodeKind::Vehicle => 2,
            NodeKind::Phone => 3,
            NodeKind::Address => 4,
            NodeKind::Place => 5,
        }
    }

    /// Lower-case name (`child`, `subject`, `vehicle`, `phone`, `address`, `place`).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Child => "child",
            NodeKind::Subject => "subject",
            NodeKind::Vehicle => "vehicle",
            NodeKind::Phone => "phone",
            NodeKind::Address => "address",
            NodeKind::Place => "place",
        }
    }

    /// Whether a subject-to-child link may pass through a node of this kind (vehicle,
    /// phone, address or place).
    pub fn is_intermediate(self) -> bool {
        matches!(
            self,
            NodeKind::Vehicle | NodeKind::Phone | NodeKind::Address | NodeKind::Place
        )
    }
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies a node of one graph: its position in the order nodes were first added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    /// The position of the node in [`LinkGraph::nodes`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Identifies an edge of one graph: its position in the order edges were first added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EdgeId(u32);

impl EdgeId {
    /// The position of the edge in [`LinkGraph::edges`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A node: one child, subject, vehicle, phone, address or place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The kind.
    pub kind: NodeKind,
    /// Stable key, unique within the kind (a child's record id, a subject's cluster id, a
    /// normalised registration or phone number). Used as given; callers normalise.
    pub key: String,
    /// Display label, when one was given.
    pub label: Option<String>,
    /// Area code (local authority), when known.
    pub area: Option<String>,
}

impl Node {
    /// The label to show: the display label, or the key when there is none.
    pub fn display(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.key)
    }
}

/// One piece of evidence for an edge.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EdgeEvidence {
    /// The source or submission id the link rests on.
    pub source: String,
    /// A short reason (`seen driving`, `number in child's phone`).
    pub reason: String,
}

/// An undirected edge with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// One end (the smaller id).
    pub a: NodeId,
    /// The other end (the larger id).
    pub b: NodeId,
    /// Every distinct (source, reason) given for this link, in the order first given.
    pub evidence: Vec<EdgeEvidence>,
    /// Number of distinct sources supporting the link.
    pub weight: usize,
}

impl Edge {
    /// The end that is not `n` (`a` when `n` is neither end).
    pub fn other(&self, n: NodeId) -> NodeId {
        if n == self.a { self.b } else { self.a }
    }
}

/// Why an edge could not be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// A node id that this builder did not hand out.
    #[error("unknown node id {0}")]
    UnknownNode(usize),
    /// Both ends are the same node.
    #[error("an edge from node {0} to itself is not a link")]
    SelfLoop(usize),
}

/// A node whose later mentions gave a different area from the one kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaConflict {
    /// The node.
    pub node: NodeId,
    /// The area that was given later and not kept (the first area given wins).
    pub ignored: String,
}

/// Builds a [`LinkGraph`]: dedupes nodes by (kind, key) and merges parallel edges.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    nodes: Vec<Node>,
    index: HashMap<(NodeKind, String), NodeId>,
    edges: Vec<Edge>,
    edge_index: HashMap<(NodeId, NodeId), EdgeId>,
    seen_evidence: Vec<HashSet<EdgeEvidence>>,
    area_conflicts: Vec<AreaConflict>,
}

impl GraphBuilder {
    /// An empty builder.
    pub fn new() -> GraphBuilder {
        GraphBuilder::default()
    }

    /// Adds the node (`kind`, `key`), or finds it when already added, and returns its id.
    ///
    /// The first label and the first area given are kept; a later label or area fills a
    /// gap; a later, different area is recorded in [`LinkGraph::area_conflicts`]. Empty
    /// strings count as not given.
    pub fn add_node(
        &mut self,
        kind: NodeKind,
        key: &str,
        label: Option<&str>,
        area: Option<&str>,
    ) -> NodeId {
        let label = label.filter(|s| !s.is_empty());
        let area = area.filter(|s| !s.is_empty());
        if let Some(&id) = self.index.get(&(kind, key.to_string())) {
            let node = &mut self.nodes[id.index()];
            if node.label.is_none() {
                node.label = label.map(str::to_string);
            }
            match (&node.area, area) {
                (None, Some(a)) => node.area = Some(a.to_string()),
                (Some(kept), Some(a)) if kept != a => self.area_conflicts.push(AreaConflict {
                    node: id,
                    ignored: a.to_string(),
                }),
                _ => {}
            }
            return id;
        }
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(Node {
            kind,
            key: key.to_string(),
            label: label.map(str::to_string),
            area: area.map(str::to_string),
        });
        self.index.insert((kind, key.to_string()), id);
        id
    }

    /// The id of (`kind`, `key`) when already added.
    pub fn find(&self, kind: NodeKind, key: &str) -> Option<NodeId> {
        self.index.get(&(kind, key.to_string())).copied()
    }

    /// Links `a` and `b` (in either order) on the evidence of `source` with `reason`.
    /// A link already present is merged: the evidence is added unless the same (source,
    /// reason) was already given, and the weight counts distinct sources.
    pub fn add_edge(
        &mut self,
        a: NodeId,
        b: NodeId,
        source: &str,
        reason: &str,
    ) -> Result<EdgeId, GraphError> {
        for n in [a, b] {
            if n.index() >= self.nodes.len() {
                return Err(GraphError::UnknownNode(n.index()));
            }
        }
        if a == b {
            return Err(GraphError::SelfLoop(a.index()));
        }
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        let id = match self.edge_index.get(&(a, b)) {
            Some(&id) => id,
            None => {
                let id = EdgeId(self.edges.len() as u32);
                self.edges.push(Edge {
                    a,
                    b,
                    evidence: Vec::new(),
                    weight: 0,
                });
                self.seen_evidence.push(HashSet::new());
                self.edge_index.insert((a, b), id);
                id
            }
        };
        let evidence = EdgeEvidence {
            source: source.to_string(),
            reason: reason.to_string(),
        };
        if self.seen_evidence[id.index()].insert(evidence.clone()) {
            let edge = &mut self.edges[id.index()];
            if !edge.evidence.iter().any(|e| e.source == source) {
                edge.weight += 1;
            }
            edge.evidence.push(evidence);
        }
        Ok(id)
    }

    /// The graph, ready to query.
    pub fn build(self) -> LinkGraph {
        let mut adjacency: Vec<Vec<(NodeId, EdgeId)>> = vec![Vec::new(); self.nodes.len()];
        for (i, e) in self.edges.iter().enumerate() {
            let id = EdgeId(i as u32);
            adjacency[e.a.index()].push((e.b, id));
            adjacency[e.b.index()].push((e.a, id));
        }
        for list in &mut adjacency {
            list.sort_unstable();
        }
        LinkGraph {
            nodes: self.nodes,
            index: self.index,
            edges: self.edges,
            adjacency,
            area_conflicts: self.area_conflicts,
        }
    }
}

/// Node counts by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindCounts([usize; 6]);

impl KindCounts {
    /// The count of `kind`.
    pub fn get(&self, kind: NodeKind) -> usize {
        self.0[kind.index()]
    }

    /// The count of every kind together.
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }

    fn add(&mut self, kind: NodeKind) {
        self.0[kind.index()] += 1;
    }
}

/// A network: one connected component of the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// Its nodes, in id order.
    pub nodes: Vec<NodeId>,
    /// Its edges, in id order.
    pub edges: Vec<EdgeId>,
    /// How many nodes of each kind.
    pub counts: KindCounts,
    /// The distinct area codes of its nodes, sorted (nodes without one are not counted).
    pub areas: Vec<String>,
}

impl Network {
    /// Number of nodes.
    pub fn size(&self) -> usize {
        self.nodes.len()
    }

    /// Whether its nodes lie in more than one area (WM-19.2).
    pub fn spans_areas(&self) -> bool {
        self.areas.len() > 1
    }
}

/// How a subject is linked to a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Route {
    /// A direct subject-child edge.
    Direct {
        /// The edge.
        edge: EdgeId,
    },
    /// Through one vehicle, phone, address or place linked to both.
    Via {
        /// The intermediate node.
        node: NodeId,
        /// Its edge to the subject.
        subject_edge: EdgeId,
        /// Its edge to the child.
        child_edge: EdgeId,
    },
}

/// One child a subject is linked to, with every route found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildLink {
    /// The child.
    pub child: NodeId,
    /// The routes: the direct edge first when there is one, then intermediates in id order.
    pub routes: Vec<Route>,
}

impl ChildLink {
    /// Whether there is a direct subject-child edge.
    pub fn is_direct(&self) -> bool {
        self.routes
            .iter()
            .any(|r| matches!(r, Route::Direct { .. }))
    }
}

/// A subject with the children it is linked to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectLinks {
    /// The subject.
    pub subject: NodeId,
    /// The distinct children, in id order.
    pub children: Vec<ChildLink>,
}

/// A node ranked by betweenness.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyNode {
    /// The node.
    pub node: NodeId,
    /// Its normalised betweenness centrality.
    pub betweenness: f64,
}

/// The link graph: nodes, merged edges and their evidence, and the queries on them.
#[derive(Debug, Clone)]
pub struct LinkGraph {
    nodes: Vec<Node>,
    index: HashMap<(NodeKind, String), NodeId>,
    edges: Vec<Edge>,
    adjacency: Vec<Vec<(NodeId, EdgeId)>>,
    area_conflicts: Vec<AreaConflict>,
}

impl LinkGraph {
    /// Every node, indexed by [`NodeId::index`].
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Every edge, indexed by [`EdgeId::index`].
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The node `id`. Panics when `id` is from another graph and out of range.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The edge `id`. Panics when `id` is from another graph and out of range.
    pub fn edge(&self, id: EdgeId) -> &Edge {
        &self.edges[id.index()]
    }

    /// The id of (`kind`, `key`).
    pub fn find(&self, kind: NodeKind, key: &str) -> Option<NodeId> {
        self.index.get(&(kind, key.to_string())).copied()
    }

    /// The neighbours of `id` with the edge to each, in neighbour id order.
    pub fn neighbours(&self, id: NodeId) -> &[(NodeId, EdgeId)] {
        self.adjacency.get(id.index()).map_or(&[], Vec::as_slice)
    }

    /// The edge between `a` and `b`, if any.
    pub fn edge_between(&self, a: NodeId, b: NodeId) -> Option<EdgeId> {
        let list = self.neighbours(a);
        list.binary_search_by(|(n, _)| n.cmp(&b))
            .ok()
            .map(|i| list[i].1)
    }

    /// Nodes given different areas by different mentions (the first area was kept).
    pub fn area_conflicts(&self) -> &[AreaConflict] {
        &self.area_conflicts
    }

    /// The networks (connected components), largest first; ties by smallest node id.
    /// Every node is in exactly one network (an isolated node is a network of one).
    pub fn networks(&self) -> Vec<Network> {
        let n = self.nodes.len();
        let mut seen = vec![false; n];
        let mut networks = Vec::new();
        let mut queue = VecDeque::new();
        for start in 0..n {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            queue.push_back(start);
            let mut members = Vec::new();
            while let Some(v) = queue.pop_front() {
                members.push(NodeId(v as u32));
                for &(w, _) in &self.adjacency[v] {
                    if !seen[w.index()] {
                        seen[w.index()] = true;
                        queue.push_back(w.index());
                    }
                }
            }
            members.sort_unstable();
            let mut counts = KindCounts::default();
            let mut areas: Vec<String> = Vec::new();
            let mut edges = Vec::new();
            for &m in &members {
                let node = &self.nodes[m.index()];
                counts.add(node.kind);
                if let Some(a) = &node.area {
                    areas.push(a.clone());
                }
                // Each edge once: from its smaller end.
                edges.extend(
                    self.adjacency[m.index()]
                        .iter()
                        .filter(|(w, _)| *w > m)
                        .map(|&(_, e)| e),
                );
            }
            areas.sort_unstable();
            areas.dedup();
            edges.sort_unstable();
            networks.push(Network {
                nodes: members,
                edges,
                counts,
                areas,
            });
        }
        // Members are sorted, so nodes[0] is the smallest id; the stable sort keeps
        // discovery order (by smallest id) among equal sizes.
        networks.sort_by_key(|n| Reverse(n.size()));
        networks
    }

    /// The networks whose nodes lie in more than one area (WM-19.2), largest first.
    pub fn cross_area_networks(&self) -> Vec<Network> {
        self.networks()
            .into_iter()
            .filter(Network::spans_areas)
            .collect()
    }

    /// The edges whose two ends carry different area codes (cross-border links, WM-19.2),
    /// in id order. An end without an area code is not evidence of a crossing.
    pub fn cross_area_edges(&self) -> Vec<EdgeId> {
        self.edges
            .iter()
            .enumerate()
            .filter(
                |(_, e)| match (&self.nodes[e.a.index()].area, &self.nodes[e.b.index()].area) {
                    (Some(x), Some(y)) => x != y,
                    _ => false,
                },
            )
            .map(|(i, _)| EdgeId(i as u32))
            .collect()
    }

    /// Every subject with the children it is linked to, directly or through one vehicle,
    /// phone, address or place; subjects with fewer than `min_children` distinct children
    /// are left out. Sorted by number of children (most first), then subject id.
    pub fn subjects_linked_to_children(&self, min_children: usize) -> Vec<SubjectLinks> {
        let mut out = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if node.kind != NodeKind::Subject {
                continue;
            }
            let subject = NodeId(i as u32);
            let mut routes: HashMap<NodeId, Vec<Route>> = HashMap::new();
            for &(w, edge) in &self.adjacency[i] {
                let kind = self.nodes[w.index()].kind;
                if kind == NodeKind::Child {
                    routes.entry(w).or_default().push(Route::Direct { edge });
                } else if kind.is_intermediate() {
                    for &(c, child_edge) in &self.adjacency[w.index()] {
                        if self.nodes[c.index()].kind == NodeKind::Child {
                            routes.entry(c).or_default().push(Route::Via {
                                node: w,
                                subject_edge: edge,
                                child_edge,
                            });
                        }
                    }
                }
            }
            if routes.len() < min_children.max(1) {
                continue;
            }
            let mut children: Vec<ChildLink> = routes
                .into_iter()
                .map(|(child, mut routes)| {
                    routes.sort_unstable();
                    ChildLink { child, routes }
                })
                .collect();
            children.sort_unstable_by_key(|c| c.child);
            out.push(SubjectLinks { subject, children });
        }
        // Stable: subjects with equal counts stay in id order.
        out.sort_by_key(|s| Reverse(s.children.len()));
        out
    }

    /// Subjects linked to two or more distinct children (WM-27.1); see
    /// [`LinkGraph::subjects_linked_to_children`].
    pub fn subjects_with_multiple_children(&self) -> Vec<SubjectLinks> {
        self.subjects_linked_to_children(2)
    }

    /// Betweenness centrality of every node, indexed by [`NodeId::index`]: Brandes'
    /// algorithm on the unweighted graph, normalised as `networkx.betweenness_centrality`
    /// (`normalized=True`, `endpoints=False`) for undirected graphs. The sum over ordered
    /// pairs (s, t), s != v != t, of the share of shortest s-t paths through v is divided
    /// by (n-1)(n-2); equivalently, the sum over unordered pairs is divided by
    /// (n-1)(n-2)/2, the number of pairs that do not include v. With fewer than three
    /// nodes every value is 0. Time O(nodes x edges).
    pub fn betweenness(&self) -> Vec<f64> {
        let n = self.nodes.len();
        let mut centrality = vec![0.0f64; n];
        let mut sigma = vec![0.0f64; n];
        let mut dist = vec![usize::MAX; n];
        let mut delta = vec![0.0f64; n];
        let mut preds: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut stack: Vec<usize> = Vec::with_capacity(n);
        let mut queue: VecDeque<usize> = VecDeque::new();
        for s in 0..n {
            // Reset only what the previous source reached.
            for &v in &stack {
                sigma[v] = 0.0;
                dist[v] = usize::MAX;
                delta[v] = 0.0;
                preds[v].clear();
            }
            stack.clear();
            sigma[s] = 1.0;
            dist[s] = 0;
            queue.push_back(s);
            while let Some(v) = queue.pop_front() {
                stack.push(v);
                for &(w, _) in &self.adjacency[v] {
                    let w = w.index();
                    if dist[w] == usize::MAX {
                        dist[w] = dist[v] + 1;
                        queue.push_back(w);
                    }
                    if dist[w] == dist[v] + 1 {
                        sigma[w] += sigma[v];
                        preds[w].push(v as u32);
                    }
                }
            }
            for &w in stack.iter().rev() {
                let coeff = (1.0 + delta[w]) / sigma[w];
                for &v in &preds[w] {
                    delta[v as usize] += sigma[v as usize] * coeff;
                }
                if w != s {
                    centrality[w] += delta[w];
                }
            }
        }
        if n > 2 {
            let scale = 1.0 / (((n - 1) * (n - 2)) as f64);
            for c in &mut centrality {
                *c *= scale;
            }
        }
        centrality
    }

    /// The `top` nodes by betweenness (highest first; ties by node id), leaving out nodes
    /// whose betweenness is 0.
    pub fn key_nodes(&self, top: usize) -> Vec<KeyNode> {
        let mut ranked: Vec<KeyNode> = self
            .betweenness()
            .into_iter()
            .enumerate()
            .filter(|&(_, b)| b > 0.0)
            .map(|(i, betweenness)| KeyNode {
                node: NodeId(i as u32),
                betweenness,
            })
            .collect();
        ranked.sort_by(|x, y| {
            y.betweenness
                .total_cmp(&x.betweenness)
                .then(x.node.cmp(&y.node))
        });
        ranked.truncate(top);
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIR: &str = "E08000025";
    const COV: &str = "E08000026";
    const DUD: &str = "E08000027";

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12
    }

    /// Nodes 0..n with the given edges (all of kind Place, no areas).
    fn plain(n: usize, edges: &[(usize, usize)]) -> LinkGraph {
        let mut g = GraphBuilder::new();
        let ids: Vec<NodeId> = (0..n)
            .map(|i| g.add_node(NodeKind::Place, &i.to_string(), None, None))
            .collect();
        for &(a, b) in edges {
            g.add_edge(ids[a], ids[b], "test", "edge")
                .expect("valid edge");
        }
        g.build()
    }

    /// The planted network: subjects S1, S2, S3; children C1..C5; a car V1 shared by S1
    /// and S2; a phone P1 shared by S1 and S2; and a separate pair S3-C5 with S3's address.
    ///
    /// ```text
    ///  C1   C2          C5 - S3 - A1        (Dudley)
    ///    \ /
    ///    S1 ---- C3
    ///   /  \    /
    ///  P1   V1-
    ///  | \   |
    ///  C4  S2-
    /// ```
    fn planted() -> LinkGraph {
        let mut g = GraphBuilder::new();
        let s1 = g.add_node(NodeKind::Subject, "S1", Some("Jamal (Jay)"), Some(BIR));
        let s2 = g.add_node(NodeKind::Subject, "S2", None, Some(COV));
        let s3 = g.add_node(NodeKind::Subject, "S3", None, Some(DUD));
        let c: Vec<NodeId> = [BIR, BIR, COV, BIR, DUD]
            .iter()
            .enumerate()
            .map(|(i, area)| g.add_node(NodeKind::Child, &format!("C{}", i + 1), None, Some(area)))
            .collect();
        let v1 = g.add_node(NodeKind::Vehicle, "AB12CDE", Some("grey VW Golf"), None);
        let p1 = g.add_node(NodeKind::Phone, "+447700900123", None, None);
        let a1 = g.add_node(NodeKind::Address, "1 High St DY1", None, Some(DUD));
        let links = [
            (s1, c[0], "sub-1", "seen with child"),
            (s1, c[1], "sub-2", "seen with child"),
            (s1, c[2], "sub-3", "messages child"),
            (s1, v1, "sub-4", "seen driving"),
            (s2, v1, "sub-5", "registered keeper"),
            (v1, c[2], "sub-6", "child seen getting into car"),
            (s2, p1, "sub-7", "subject's number"),
            (s1, p1, "sub-8", "subject's number"),
            (p1, c[3], "sub-9", "number in child's phone"),
            (s3, c[4], "sub-10", "seen with child"),
            (s3, a1, "sub-11", "lives at"),
        ];
        for (a, b, source, reason) in links {
            g.add_edge(a, b, source, reason).expect("valid edge");
        }
        g.build()
    }

    fn id(g: &LinkGraph, kind: NodeKind, key: &str) -> NodeId {
        g.find(kind, key).expect("node present")
    }

    // R5.2, WM-27.1: perpetrators linked to more than one child, directly or via a car.
    #[test]
    fn subjects_linked_to_two_or_more_children_directly_or_via_shared_car_and_phone() {
        let g = planted();
        let found = g.subjects_with_multiple_children();
        let s1 = id(&g, NodeKind::Subject, "S1");
        let s2 = id(&g, NodeKind::Subject, "S2");
        let v1 = id(&g, NodeKind::Vehicle, "AB12CDE");
        let p1 = id(&g, NodeKind::Phone, "+447700900123");
        let child = |k: &str| id(&g, NodeKind::Child, k);

        // S3 has one child only and is left out; S1 (4 children) ranks before S2 (2).
        assert_eq!(
            found.iter().map(|s| s.subject).collect::<Vec<_>>(),
            vec![s1, s2]
        );

        let s1_links = &found[0].children;
        assert_eq!(
            s1_links.iter().map(|c| c.child).collect::<Vec<_>>(),
            vec![child("C1"), child("C2"), child("C3"), child("C4")]
        );
        assert!(s1_links[0].is_direct() && s1_links[1].is_direct());
        // C3: the direct edge first, then via the car.
        assert_eq!(s1_links[2].routes.len(), 2);
        assert!(matches!(s1_links[2].routes[0], Route::Direct { .. }));
        assert!(matches!(s1_links[2].routes[1], Route::Via { node, .. } if node == v1));
        // C4: only via the phone.
        assert_eq!(s1_links[3].routes.len(), 1);
        assert!(matches!(s1_links[3].routes[0], Route::Via { node, .. } if node == p1));

        // S2 has no direct link: C3 via the car, C4 via the phone.
        let s2_links = &found[1].children;
        assert_eq!(s2_links.len(), 2);
        assert!(!s2_links.iter().any(ChildLink::is_direct));
        let Route::Via {
            node,
            subject_edge,
            child_edge,
        } = s2_links[0].routes[0]
        else {
            panic!("expected a route via the car");
        };
        assert_eq!((s2_links[0].child, node), (child("C3"), v1));
        assert_eq!(g.edge(subject_edge).evidence[0].source, "sub-5");
        assert_eq!(g.edge(child_edge).evidence[0].source, "sub-6");
        assert!(matches!(s2_links[1].routes[0], Route::Via { node, .. } if node == p1));

        // With a threshold of 1, S3 appears too, last.
        let all = g.subjects_linked_to_children(1);
        assert_eq!(all.len(), 3);
        assert_eq!(all[2].subject, id(&g, NodeKind::Subject, "S3"));
    }

    // WM-27.1: a subject is not linked to a child through another subject or child.
    #[test]
    fn routes_pass_only_through_vehicle_phone_address_or_place() {
        let mut g = GraphBuilder::new();
        let s1 = g.add_node(NodeKind::Subject, "S1", None, None);
        let s2 = g.add_node(NodeKind::Subject, "S2", None, None);
        let c1 = g.add_node(NodeKind::Child, "C1", None, None);
        let c2 = g.add_node(NodeKind::Child, "C2", None, None);
        let c3 = g.add_node(NodeKind::Child, "C3", None, None);
        let place = g.add_node(NodeKind::Place, "park", None, None);
        g.add_edge(s1, s2, "x", "associates").expect("edge");
        g.add_edge(s2, c1, "x", "seen with").expect("edge");
        g.add_edge(s1, c2, "x", "seen with").expect("edge");
        g.add_edge(c2, c3, "x", "friends").expect("edge");
        g.add_edge(s1, place, "x", "frequents").expect("edge");
        let g = g.build();
        // S1 reaches C1 only through S2 and C3 only through C2: neither counts.
        assert!(g.subjects_with_multiple_children().is_empty());
        let one = g.subjects_linked_to_children(1);
        assert_eq!(one.len(), 2);
        assert_eq!(one[0].children.len(), 1);
    }

    // WM-27.1: networks are the connected components, largest first, with counts by kind.
    #[test]
    fn networks_are_connected_components_sorted_by_size_with_counts_by_kind() {
        let g = planted();
        let nets = g.networks();
        assert_eq!(nets.len(), 2);
        assert_eq!(nets[0].size(), 8);
        assert_eq!(nets[0].counts.get(NodeKind::Subject), 2);
        assert_eq!(nets[0].counts.get(NodeKind::Child), 4);
        assert_eq!(nets[0].counts.get(NodeKind::Vehicle), 1);
        assert_eq!(nets[0].counts.get(NodeKind::Phone), 1);
        assert_eq!(nets[0].counts.get(NodeKind::Address), 0);
        assert_eq!(nets[0].counts.total(), 8);
        assert_eq!(nets[0].edges.len(), 9);
        assert_eq!(nets[1].size(), 3);
        assert_eq!(nets[1].counts.get(NodeKind::Subject), 1);
        assert_eq!(nets[1].counts.get(NodeKind::Child), 1);
        assert_eq!(nets[1].counts.get(NodeKind::Address), 1);
        assert_eq!(nets[1].edges.len(), 2);
        // Every node and edge in exactly one network.
        let mut all: Vec<NodeId> = nets.iter().flat_map(|n| n.nodes.clone()).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), g.nodes().len());
        assert_eq!(
            nets.iter().map(|n| n.edges.len()).sum::<usize>(),
            g.edges().len()
        );
        assert!(nets[1].nodes.contains(&id(&g, NodeKind::Subject, "S3")));
    }

    // WM-27.1: an isolated node is a network of one; equal sizes keep node-id order.
    #[test]
    fn isolated_nodes_are_networks_of_one_in_id_order() {
        let g = plain(5, &[(3, 4)]);
        let sizes: Vec<(usize, NodeId)> = g
            .networks()
            .iter()
            .map(|n| (n.size(), n.nodes[0]))
            .collect();
        assert_eq!(
            sizes,
            vec![
                (2, NodeId(3)),
                (1, NodeId(0)),
                (1, NodeId(1)),
                (1, NodeId(2))
            ]
        );
    }

    // WM-19.2: links whose ends are in different areas, and networks spanning areas.
    #[test]
    fn cross_area_edges_and_networks_are_detected() {
        let g = planted();
        let cross = g.cross_area_edges();
        // Only S1 (Birmingham) - C3 (Coventry): the car and phone have no area.
        assert_eq!(cross.len(), 1);
        let e = g.edge(cross[0]);
        assert_eq!(
            (g.node(e.a).key.as_str(), g.node(e.b).key.as_str()),
            ("S1", "C3")
        );
        let nets = g.cross_area_networks();
        assert_eq!(nets.len(), 1);
        assert_eq!(nets[0].areas, vec![BIR.to_string(), COV.to_string()]);
        assert!(!g.networks()[1].spans_areas());
        assert_eq!(g.networks()[1].areas, vec![DUD.to_string()]);
    }

    // R5.2, R7.2: parallel links merge; every source and reason is kept as evidence.
    #[test]
    fn parallel_edges_merge_and_keep_every_piece_of_evidence() {
        let mut b = GraphBuilder::new();
        let s = b.add_node(NodeKind::Subject, "S1", None, None);
        let c = b.add_node(NodeKind::Child, "C1", None, None);
        let e1 = b.add_edge(s, c, "sub-1", "seen together").expect("edge");
        let e2 = b.add_edge(c, s, "sub-2", "seen together").expect("edge");
        let e3 = b.add_edge(s, c, "sub-1", "in car together").expect("edge");
        let e4 = b.add_edge(s, c, "sub-1", "seen together").expect("edge");
        assert!(e1 == e2 && e2 == e3 && e3 == e4);
        let g = b.build();
        assert_eq!(g.edges().len(), 1);
        let edge = g.edge(e1);
        // Two distinct sources; three distinct (source, reason) pairs; exact repeat dropped.
        assert_eq!(edge.weight, 2);
        let evidence: Vec<(&str, &str)> = edge
            .evidence
            .iter()
            .map(|e| (e.source.as_str(), e.reason.as_str()))
            .collect();
        assert_eq!(
            evidence,
            vec![
                ("sub-1", "seen together"),
                ("sub-2", "seen together"),
                ("sub-1", "in car together"),
            ]
        );
        assert_eq!(g.edge_between(c, s), Some(e1));
        assert_eq!(edge.other(s), c);
    }

    // R5.2: nodes dedupe by (kind, key); labels and areas fill gaps; conflicts recorded.
    #[test]
    fn nodes_dedupe_by_kind_and_key_and_record_area_conflicts() {
        let mut b = GraphBuilder::new();
        let a = b.add_node(NodeKind::Subject, "X1", None, Some(""));
        let again = b.add_node(NodeKind::Subject, "X1", Some("Robert"), Some(BIR));
        let other_kind = b.add_node(NodeKind::Place, "X1", None, None);
        let third = b.add_node(NodeKind::Subject, "X1", Some("Bob"), Some(COV));
        assert_eq!(a, again);
        assert_eq!(a, third);
        assert_ne!(a, other_kind);
        assert_eq!(b.find(NodeKind::Place, "X1"), Some(other_kind));
        let g = b.build();
        assert_eq!(g.nodes().len(), 2);
        let node = g.node(a);
        assert_eq!(node.display(), "Robert");
        assert_eq!(node.area.as_deref(), Some(BIR));
        assert_eq!(g.node(other_kind).display(), "X1");
        assert_eq!(
            g.area_conflicts(),
            &[AreaConflict {
                node: a,
                ignored: COV.to_string()
            }]
        );
    }

    // R5.2: self-links and foreign node ids are refused, not panics.
    #[test]
    fn self_loops_and_unknown_nodes_are_errors() {
        let mut b = GraphBuilder::new();
        let s = b.add_node(NodeKind::Subject, "S1", None, None);
        assert_eq!(
            b.add_edge(s, s, "x", "y"),
            Err(GraphError::SelfLoop(s.index()))
        );
        assert_eq!(
            b.add_edge(s, NodeId(7), "x", "y"),
            Err(GraphError::UnknownNode(7))
        );
        assert!(b.build().edges().is_empty());
    }

    // WM-27.1 key nodes: path a-b-c; b lies on the only a-c path, normalised 1/1 = 1.
    #[test]
    fn betweenness_of_path_of_three_is_one_for_the_middle() {
        let b = plain(3, &[(0, 1), (1, 2)]).betweenness();
        assert!(
            close(b[0], 0.0) && close(b[1], 1.0) && close(b[2], 0.0),
            "{b:?}"
        );
    }

    // Path 0-1-2-3-4, by hand: node 1 lies on pairs {0,2},{0,3},{0,4} = 3, node 2 on
    // {0,3},{0,4},{1,3},{1,4} = 4; divided by (n-1)(n-2)/2 = 6.
    #[test]
    fn betweenness_of_path_of_five_matches_hand_computation() {
        let b = plain(5, &[(0, 1), (1, 2), (2, 3), (3, 4)]).betweenness();
        let want = [0.0, 0.5, 4.0 / 6.0, 0.5, 0.0];
        for (got, want) in b.iter().zip(want) {
            assert!(close(*got, want), "{b:?}");
        }
    }

    // Star with centre 0 and 4 leaves: the centre lies on all C(4,2) = 6 leaf pairs,
    // 6 / ((5-1)(5-2)/2) = 1; leaves 0.
    #[test]
    fn betweenness_of_star_is_one_for_centre_and_zero_for_leaves() {
        let b = plain(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]).betweenness();
        assert!(close(b[0], 1.0), "{b:?}");
        assert!(b[1..].iter().all(|&x| close(x, 0.0)), "{b:?}");
    }

    // Cycle 0-1-2-3: each opposite pair has two shortest paths, so each node gets 1/2,
    // divided by (3*2)/2 = 3: 1/6.
    #[test]
    fn betweenness_splits_between_equal_shortest_paths() {
        let b = plain(4, &[(0, 1), (1, 2), (2, 3), (3, 0)]).betweenness();
        assert!(b.iter().all(|&x| close(x, 1.0 / 6.0)), "{b:?}");
    }

    // The planted network against networkx 3.6.1 `betweenness_centrality(G)` on the same
    // graph (n = 11, two components); S1 is the key node, then the shared phone and car.
    #[test]
    fn betweenness_of_planted_network_matches_networkx_and_ranks_key_nodes() {
        let g = planted();
        let b = g.betweenness();
        let want = [
            ("S1", 14.0 / 45.0),
            ("S2", 1.0 / 45.0),
            ("S3", 1.0 / 45.0),
            ("C1", 0.0),
            ("C2", 0.0),
            ("C3", 0.0),
            ("C4", 0.0),
            ("C5", 0.0),
            ("AB12CDE", 2.5 / 45.0),
            ("+447700900123", 7.5 / 45.0),
            ("1 High St DY1", 0.0),
        ];
        // networkx printed: S1 0.3111111111111111, S2 0.022222222222222223,
        // V1 0.05555555555555556, P1 0.16666666666666669.
        for (i, (key, value)) in want.iter().enumerate() {
            assert_eq!(g.nodes()[i].key, *key);
            assert!(close(b[i], *value), "{key}: {} vs {value}", b[i]);
        }
        let keys: Vec<&str> = g
            .key_nodes(3)
            .iter()
            .map(|k| g.node(k.node).key.as_str())
            .collect();
        assert_eq!(keys, vec!["S1", "+447700900123", "AB12CDE"]);
        // Ties by id; zero-betweenness nodes are not key nodes.
        let all = g.key_nodes(usize::MAX);
        assert_eq!(all.len(), 5);
        assert_eq!(g.node(all[3].node).key, "S2");
        assert_eq!(g.node(all[4].node).key, "S3");
    }

    // Fewer than three nodes: no pair can pass through a third node.
    #[test]
    fn betweenness_of_tiny_graphs_is_zero() {
        assert_eq!(plain(1, &[]).betweenness(), vec![0.0]);
        assert_eq!(plain(2, &[(0, 1)]).betweenness(), vec![0.0, 0.0]);
    }

    // Every query on an empty graph returns nothing, without panicking.
    #[test]
    fn empty_graph_gives_empty_results() {
        let g = GraphBuilder::new().build();
        assert!(g.nodes().is_empty() && g.edges().is_empty());
        assert!(g.networks().is_empty());
        assert!(g.cross_area_networks().is_empty());
        assert!(g.cross_area_edges().is_empty());
        assert!(g.subjects_with_multiple_children().is_empty());
        assert!(g.subjects_linked_to_children(0).is_empty());
        assert!(g.betweenness().is_empty());
        assert!(g.key_nodes(10).is_empty());
        assert!(g.neighbours(NodeId(0)).is_empty());
        assert_eq!(g.find(NodeKind::Child, "C1"), None);
    }
}
