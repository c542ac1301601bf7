use super::*;
use std::collections::{BTreeMap, HashMap};

fn node(id: &str, group: Option<&str>) -> LayoutNode {
    let group = group.map(str::to_owned);
    LayoutNode {
        id: id.into(),
        group,
        weight: 1.0,
    }
}

/// Nodes from "a b:ns c": each id, then its namespace if it has one.
fn nodes(spec: &str) -> Vec<LayoutNode> {
    let parse = |s: &str| {
        s.split_once(':')
            .map_or(node(s, None), |(i, g)| node(i, Some(g)))
    };
    spec.split_whitespace().map(parse).collect()
}

fn weighted(from: &str, to: &str, weight: f64) -> LayoutEdge {
    LayoutEdge {
        from: from.into(),
        to: to.into(),
        weight,
    }
}

/// Calls of weight 1, from "a>b b>c".
fn calls(spec: &str) -> Vec<LayoutEdge> {
    let call = |pair: &str| pair.split_once('>').map(|(a, b)| weighted(a, b, 1.0));
    spec.split_whitespace().filter_map(call).collect()
}

fn fresh(nodes: &[LayoutNode], edges: &[LayoutEdge]) -> Layout {
    layout(nodes, edges, None, &LayoutOptions::default())
}

fn refresh(nodes: &[LayoutNode], edges: &[LayoutEdge], previous: &Layout) -> Layout {
    layout(nodes, edges, Some(previous), &LayoutOptions::default())
}

fn by_id(layout: &Layout) -> HashMap<&str, &PlacedNode> {
    layout.nodes.iter().map(|n| (n.id.as_str(), n)).collect()
}

/// Layers of the given ids, in that order.
fn layers(layout: &Layout, ids: &str) -> Vec<usize> {
    let at = by_id(layout);
    ids.split_whitespace().map(|id| at[id].layer).collect()
}

/// Ids per layer, top to bottom.
fn rows(layout: &Layout) -> BTreeMap<usize, Vec<String>> {
    let mut placed: Vec<&PlacedNode> = layout.nodes.iter().collect();
    placed.sort_by_key(|n| (n.layer, n.order));
    let mut rows: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for n in placed {
        rows.entry(n.layer).or_default().push(n.id.clone());
    }
    rows
}

/// Crossings among edges joining adjacent layers, read off the drawing
/// itself (y coordinates), independently of the module's own counter.
fn drawn_crossings(layout: &Layout, edges: &[LayoutEdge]) -> usize {
    let at = by_id(layout);
    let segments: Vec<(usize, f64, f64)> = (edges.iter())
        .map(|e| (at[e.from.as_str()], at[e.to.as_str()]))
        .map(|(a, b)| if a.layer < b.layer { (a, b) } else { (b, a) })
        .filter(|(a, b)| b.layer == a.layer + 1)
        .map(|(a, b)| (a.layer, a.y, b.y))
        .collect();
    let mut count = 0;
    for (i, s) in segments.iter().enumerate() {
        for t in &segments[i + 1..] {
            count += usize::from(s.0 == t.0 && (s.1 - t.1) * (s.2 - t.2) < 0.0);
        }
    }
    count
}

/// Every edge points right unless reported reversed, which then points left.
fn assert_edges_respected(layout: &Layout, edges: &[LayoutEdge]) {
    let at = by_id(layout);
    for e in edges.iter().filter(|e| e.from != e.to) {
        let (from, to) = (at[e.from.as_str()].layer, at[e.to.as_str()].layer);
        let reversed = (layout.reversed_edges.iter()).any(|(a, b)| *a == e.from && *b == e.to);
        assert_eq!(from > to, reversed, "{} -> {}", e.from, e.to);
        assert_ne!(from, to, "{} -> {}", e.from, e.to);
    }
}

fn groups(nodes: &[LayoutNode]) -> HashMap<&str, Option<&str>> {
    nodes
        .iter()
        .map(|n| (&n.id[..], n.group.as_deref()))
        .collect()
}

/// Each namespace forms a single run in every layer.
fn assert_namespaces_contiguous(layout: &Layout, nodes: &[LayoutNode]) {
    let group = groups(nodes);
    for row in rows(layout).values() {
        let mut runs: Vec<Option<&str>> = row.iter().map(|id| group[id.as_str()]).collect();
        runs.dedup();
        let mut seen = BTreeSet::new();
        assert!(
            runs.iter().all(|g| seen.insert(*g)),
            "split namespace in {runs:?}"
        );
    }
}

/// A tiny xorshift generator, so the "random" maps are the same every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// `n` services in six namespaces (and some virtual nodes without one) and
/// `m` calls, nine in ten going to a higher number, as callers go deeper.
fn random_map(seed: u64, n: usize, m: usize) -> (Vec<LayoutNode>, Vec<LayoutEdge>) {
    let mut rng = Rng(seed);
    let service = |i: usize, weight: usize| LayoutNode {
        id: format!("svc-{i:03}"),
        group: (!i.is_multiple_of(7)).then(|| format!("ns-{}", i % 6)),
        weight: weight as f64,
    };
    let nodes: Vec<LayoutNode> = (0..n).map(|i| service(i, rng.below(1000))).collect();
    let mut edges = Vec::with_capacity(m);
    for _ in 0..m {
        let (a, b) = (rng.below(n), rng.below(n));
        let mut ends = [&nodes[a.min(b)].id, &nodes[a.max(b)].id];
        if rng.below(10) == 0 {
            ends.reverse();
        }
        edges.push(weighted(ends[0], ends[1], rng.below(500) as f64));
    }
    (nodes, edges)
}

#[test]
fn a_chain_gets_one_layer_per_hop() {
    let placed = fresh(&nodes("A B C"), &calls("A>B B>C"));
    assert_eq!(layers(&placed, "A B C"), [0, 1, 2]);
    let xs: Vec<f64> = placed.nodes.iter().map(|n| n.x).collect();
    assert_eq!(xs, [0.0, 220.0, 440.0]);
    assert!(placed.nodes.iter().all(|n| n.y == 0.0 && n.order == 0));
    assert_eq!((placed.width, placed.height), (440.0, 0.0));
    assert!(placed.reversed_edges.is_empty());
}

#[test]
fn a_fan_out_stacks_callees_and_centres_the_caller() {
    let placed = fresh(&nodes("gw a b c"), &calls("gw>a gw>b gw>c"));
    assert_eq!(rows(&placed)[&0], ["gw"]);
    assert_eq!(rows(&placed)[&1], ["a", "b", "c"]);
    let at = by_id(&placed);
    assert_eq!([at["a"].y, at["b"].y, at["c"].y], [0.0, 70.0, 140.0]);
    assert_eq!(at["gw"].y, 70.0);
    assert_eq!((placed.width, placed.height), (220.0, 140.0));
}

#[test]
fn a_diamond_has_three_layers_and_no_crossing() {
    let diamond = calls("A>B A>C B>D C>D");
    let placed = fresh(&nodes("D C B A"), &diamond);
    assert_eq!(layers(&placed, "A B C D"), [0, 1, 1, 2]);
    assert_eq!(drawn_crossings(&placed, &diamond), 0);
}

#[test]
fn a_two_node_cycle_reverses_exactly_one_edge() {
    let cycle = calls("A>B B>A");
    let placed = fresh(&nodes("A B"), &cycle);
    assert_eq!(placed.reversed_edges, [("B".to_owned(), "A".to_owned())]);
    assert_eq!(layers(&placed, "A B"), [0, 1]);
    assert_edges_respected(&placed, &cycle);
}

#[test]
fn a_cycle_plus_a_self_loop_still_reverses_one_edge() {
    let looping = calls("A>B B>A C>C B>C");
    let placed = fresh(&nodes("A B C"), &looping);
    assert_eq!(placed.reversed_edges.len(), 1);
    assert_edges_respected(&placed, &looping);
    let alone = fresh(&nodes("A"), &calls("A>A"));
    assert!(alone.reversed_edges.is_empty());
    assert_eq!(alone.nodes[0].layer, 0);
}

#[test]
fn the_quieter_direction_of_a_cycle_is_the_reversed_one() {
    let placed = fresh(
        &nodes("A B"),
        &[weighted("A", "B", 1.0), weighted("B", "A", 500.0)],
    );
    assert_eq!(placed.reversed_edges, [("A".to_owned(), "B".to_owned())]);
    assert_eq!(layers(&placed, "B A"), [0, 1]);
}

#[test]
fn only_one_edge_of_a_longer_cycle_turns_and_nothing_outside_it() {
    let map = calls("X>A A>B B>C C>A C>Y Y>Z");
    let placed = fresh(&nodes("X A B C Y Z"), &map);
    assert_eq!(placed.reversed_edges.len(), 1);
    let (from, to) = &placed.reversed_edges[0];
    assert!(
        downstream(to, &map).contains(from),
        "{from} -> {to} is on no cycle"
    );
    assert_edges_respected(&placed, &map);
}

#[test]
fn the_crossing_counter_sees_a_crossing() {
    let mut placed = fresh(&nodes("a b x y"), &calls("a>x b>y"));
    assert_eq!(drawn_crossings(&placed, &calls("a>x b>y")), 0);
    assert_eq!(drawn_crossings(&placed, &calls("a>y b>x")), 1);
    placed.nodes[0].y = 100.0;
    assert_eq!(drawn_crossings(&placed, &calls("a>x b>y")), 1);
}

#[test]
fn barycenter_sweeps_untangle_crossed_graphs() {
    // In id order every call crosses every other one: A-Z, B-Y, C-X.
    let crossed = calls("A>Z B>Y C>X Z>P X>Q");
    assert_eq!(
        drawn_crossings(&fresh(&nodes("A B C X Y Z P Q"), &crossed), &crossed),
        0
    );
    let tangled = calls("a>f a>h b>e c>g c>e d>f e>j f>i g>j h>i");
    let placed = fresh(&nodes("a b c d e f g h i j"), &tangled);
    assert_eq!(drawn_crossings(&placed, &tangled), 0);
}

#[test]
fn namespaces_stay_contiguous_and_apart() {
    let map = nodes("gw:edge a1:alpha b1:beta a2:alpha b2:beta db a3:alpha");
    let placed = fresh(&map, &calls("gw>a1 gw>b1 gw>a2 gw>b2 gw>db"));
    let group = groups(&map);
    let column: Vec<Option<&str>> = rows(&placed)[&1].iter().map(|id| group[&id[..]]).collect();
    assert_eq!(
        column,
        [
            Some("alpha"),
            Some("alpha"),
            Some("beta"),
            Some("beta"),
            None
        ]
    );
    let at = by_id(&placed);
    let between = at["b1"].y.min(at["b2"].y) - at["a1"].y.max(at["a2"].y);
    assert_eq!(between, 70.0 + 30.0);
    assert_eq!(rows(&placed)[&0], ["a3", "gw"]);
    let (map, edges) = random_map(7, 120, 500);
    assert_namespaces_contiguous(&fresh(&map, &edges), &map);
}

#[test]
fn callers_move_right_towards_distant_callees() {
    let placed = fresh(&nodes("A B C D X"), &calls("A>B B>C C>D X>D"));
    assert_eq!(layers(&placed, "A B C D X"), [0, 1, 2, 3, 2]);
}

#[test]
fn long_edges_and_separate_components_are_laid_out() {
    let map = calls("A>B B>C C>D A>D P>Q");
    let placed = fresh(&nodes("A B C D P Q lonely"), &map);
    assert_eq!(layers(&placed, "A B C D P Q lonely"), [0, 1, 2, 3, 0, 1, 0]);
    assert_edges_respected(&placed, &map);
}

#[test]
fn unknown_ends_are_ignored_and_duplicates_merged() {
    let placed = fresh(&nodes("A B"), &calls("A>B A>B A>ghost ghost>A"));
    assert_eq!(placed, fresh(&nodes("A B"), &calls("A>B")));
}

#[test]
fn the_same_input_gives_the_same_layout() {
    let (map, edges) = random_map(42, 80, 300);
    assert_eq!(fresh(&map, &edges), fresh(&map, &edges));
}

#[test]
fn input_order_does_not_matter() {
    let (map, edges) = random_map(3, 80, 300);
    let (mut shuffled_map, mut shuffled_edges) = (map.clone(), edges.clone());
    shuffled_map.reverse();
    shuffled_edges.rotate_left(117);
    shuffled_edges.swap(3, 250);
    let (first, second) = (fresh(&map, &edges), fresh(&shuffled_map, &shuffled_edges));
    let second_at = by_id(&second);
    for placed in &first.nodes {
        assert_eq!(placed, second_at[placed.id.as_str()]);
    }
    assert_eq!(first.reversed_edges, second.reversed_edges);
    assert_eq!((first.width, first.height), (second.width, second.height));
}

#[test]
fn a_refresh_with_the_same_data_changes_nothing() {
    let (map, edges) = random_map(11, 150, 700);
    let first = fresh(&map, &edges);
    assert_eq!(refresh(&map, &edges, &first), first);
}

#[test]
fn a_refresh_with_new_weights_keeps_every_place() {
    let (mut map, mut edges) = random_map(5, 150, 700);
    let first = fresh(&map, &edges);
    let mut rng = Rng(99);
    map.iter_mut()
        .for_each(|n| n.weight = rng.below(10_000) as f64);
    edges
        .iter_mut()
        .for_each(|e| e.weight = rng.below(10_000) as f64);
    assert_eq!(refresh(&map, &edges, &first), first);
}

/// Survivors' layers, and their order within each layer.
fn survivor_rows(layout: &Layout, survivors: &[LayoutNode]) -> BTreeMap<usize, Vec<String>> {
    let keep = |id: &String| survivors.iter().any(|n| &n.id == id);
    let rows = rows(layout).into_iter();
    rows.map(|(layer, ids)| (layer, ids.into_iter().filter(keep).collect()))
        .collect()
}

#[test]
fn a_new_service_leaves_the_others_in_place() {
    let (mut map, mut edges) = random_map(8, 100, 400);
    let first = fresh(&map, &edges);
    let (old, caller) = (map.clone(), "svc-010");
    let upstream_of_caller = upstream(caller, &edges);
    let far_callee = (first.nodes.iter())
        .filter(|n| n.layer >= layers(&first, caller)[0] + 2)
        .find(|n| !upstream_of_caller.contains(&n.id))
        .expect("a callee two layers right of the caller");
    map.extend(nodes("newcomer:ns-1"));
    edges.push(weighted(caller, "newcomer", 5.0));
    edges.push(weighted("newcomer", &far_callee.id, 5.0));
    let second = refresh(&map, &edges, &first);
    assert_eq!(survivor_rows(&second, &old), survivor_rows(&first, &old));
    assert_eq!(
        layers(&second, "newcomer")[0],
        layers(&second, caller)[0] + 1
    );
    assert_edges_respected(&second, &edges);
    assert_namespaces_contiguous(&second, &map);
}

#[test]
fn a_new_entry_point_shifts_all_layers_alike() {
    let first = fresh(&nodes("api db"), &calls("api>db"));
    let second = refresh(&nodes("api db web"), &calls("api>db web>api"), &first);
    assert_eq!(layers(&second, "web api db"), [0, 1, 2]);
}

#[test]
fn a_vanished_service_leaves_its_column_for_its_return() {
    let (map, chain) = (nodes("web api db"), calls("web>api api>db"));
    let first = fresh(&map, &chain);
    let without_api = refresh(&nodes("web db"), &[], &first);
    assert_eq!(layers(&without_api, "web db"), [0, 2]);
    assert_eq!(refresh(&map, &chain, &without_api), first);
}

#[test]
fn an_edge_against_the_old_layers_moves_only_what_it_must() {
    let first = fresh(&nodes("a b c d"), &calls("a>b c>d"));
    let second = refresh(&nodes("a b c d"), &calls("a>b c>d b>c"), &first);
    assert_eq!(layers(&second, "a b c d"), [0, 1, 2, 3]);
    assert!(second.reversed_edges.is_empty());
}

#[test]
fn blast_radius_follows_cycles_and_ends() {
    let map = calls("E>A A>B B>C C>A C>D D>D");
    let set = |ids: &str| {
        ids.split_whitespace()
            .map(str::to_owned)
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(downstream("A", &map), set("B C D"));
    assert_eq!(upstream("A", &map), set("B C E"));
    assert_eq!(upstream("D", &map), set("A B C E"));
    assert_eq!(downstream("D", &map), set(""));
    assert_eq!(upstream("nobody", &map), set(""));
}

#[test]
fn odd_input_never_panics_and_stays_finite() {
    assert_eq!(fresh(&[], &[]).nodes, []);
    let mut map = nodes("A B A");
    (map[0].weight, map[1].weight) = (f64::NAN, f64::INFINITY);
    let edges = [weighted("A", "B", f64::NAN), weighted("B", "A", -3.0)];
    let odd = LayoutOptions {
        layer_gap: f64::NAN,
        node_gap: -5.0,
        group_gap: f64::INFINITY,
    };
    let placed = layout(&map, &edges, None, &odd);
    assert_eq!(placed.nodes.len(), 3);
    assert_eq!(placed.nodes[0], placed.nodes[2]);
    assert!(
        placed
            .nodes
            .iter()
            .all(|n| n.x.is_finite() && n.y.is_finite())
    );
    let mut garbage = fresh(&nodes("A"), &[]);
    (garbage.nodes[0].layer, garbage.nodes[0].order) = (usize::MAX, usize::MAX);
    (garbage.width, garbage.reversed_edges) = (f64::NAN, vec![("ghost".into(), "A".into())]);
    let placed = layout(&map, &edges, Some(&garbage), &odd);
    assert!(placed.nodes.iter().all(|n| n.layer <= 2 && n.x.is_finite()));
    assert_edges_respected(&placed, &edges);
}

#[test]
fn a_large_map_is_laid_out_quickly_and_correctly() {
    let (map, edges) = random_map(2024, 200, 1000);
    let start = std::time::Instant::now();
    let placed = fresh(&map, &edges);
    let elapsed = start.elapsed();
    let again = refresh(&map, &edges, &placed);
    println!(
        "200 nodes, 1000 edges: {elapsed:?}; with a refresh: {:?}",
        start.elapsed()
    );
    assert_eq!(placed.nodes.len(), 200);
    assert_edges_respected(&placed, &edges);
    assert_namespaces_contiguous(&placed, &map);
    assert_eq!(again, placed);
    #[cfg(not(debug_assertions))]
    assert!(elapsed.as_millis() < 50, "took {elapsed:?}");
}
