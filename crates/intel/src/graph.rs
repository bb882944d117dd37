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
mod tests;
