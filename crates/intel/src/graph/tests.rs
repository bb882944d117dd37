//! Tests of the graph module.

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
