//! Layout of the service map: a layered ("Sugiyama") drawing with callers on
//! the left, callees on the right, few crossings and namespaces kept together.
//! Pure and deterministic (no clock, no randomness, no hash order), so server
//! and browser agree and the same data always draws the same picture; given
//! the `previous` layout, a refresh only moves what the new data forces to.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// A service, or a virtual node such as a database or an external API.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutNode {
    pub id: String,
    /// Namespace: a namespace's nodes stay contiguous within each layer.
    pub group: Option<String>,
    /// Traffic; only breaks ties, so the busiest of equals goes on top.
    pub weight: f64,
}

/// A caller → callee dependency.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutEdge {
    pub from: String,
    pub to: String,
    /// Traffic; cycles are broken by reversing the quieter calls.
    pub weight: f64,
}

/// Spacing in pixels; negative or non-finite values mean the default.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutOptions {
    pub layer_gap: f64,
    pub node_gap: f64,
    /// Extra gap between namespace groups in a layer.
    pub group_gap: f64,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            layer_gap: 220.0,
            node_gap: 70.0,
            group_gap: 30.0,
        }
    }
}

/// A node's place; `x`, `y` is its centre and `order` counts from the top.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedNode {
    pub id: String,
    pub layer: usize,
    pub order: usize,
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Same order as the input nodes (a repeated id is placed alike twice).
    pub nodes: Vec<PlacedNode>,
    /// Largest `x` and `y`: node centres lie in `0..=width` × `0..=height`.
    pub width: f64,
    pub height: f64,
    /// edges that point backwards (cycle-breaking) so the UI can draw them curved
    pub reversed_edges: Vec<(String, String)>,
}

/// Barycenter sweeps (down, up, down...); more than this rarely pay off.
const SWEEPS: usize = 12;

/// `previous`: the last layout shown, if any; used to keep nodes that still exist in the same layer and relative order (stability). Nodes new to this layout are placed by the normal algorithm.
///
/// Edges naming unknown nodes are ignored, duplicates merged (weights
/// summed); self-loops neither affect the layout nor count as reversed.
pub fn layout(
    nodes: &[LayoutNode],
    edges: &[LayoutEdge],
    previous: Option<&Layout>,
    options: &LayoutOptions,
) -> Layout {
    let graph = Graph::new(nodes, edges);
    let anchors = anchors(&graph, previous);
    let (dag, reversed) = break_cycles(&graph, &anchors);
    let (layers, shift) = assign_layers(&dag, &anchors);
    let kept_order = |v: usize| anchors[v].filter(|a| a.0 + shift == layers[v]).map(|a| a.1);
    let kept: Vec<Option<usize>> = (0..layers.len()).map(kept_order).collect();
    let placed = place(&graph, &ordered_rows(&graph, &dag, &layers, &kept), options);
    let find = |node: &LayoutNode| placed[graph.find(&node.id)?].clone();
    let nodes: Vec<PlacedNode> = nodes.iter().filter_map(find).collect();
    let name = |i: usize| graph.ids[i].to_owned();
    Layout {
        width: nodes.iter().map(|n| n.x).fold(0.0, f64::max),
        height: nodes.iter().map(|n| n.y).fold(0.0, f64::max),
        nodes,
        reversed_edges: reversed.iter().map(|&(a, b)| (name(a), name(b))).collect(),
    }
}

/// Everything upstream of `node` (transitive callers) and downstream (transitive callees), for "blast radius" highlighting; cycles must terminate.
/// `node` itself is left out, even when a cycle leads back to it.
pub fn upstream(node: &str, edges: &[LayoutEdge]) -> BTreeSet<String> {
    reachable(node, edges, |e| (&e.to, &e.from))
}

/// Transitive callees of `node`, without `node` itself; see [`upstream`].
pub fn downstream(node: &str, edges: &[LayoutEdge]) -> BTreeSet<String> {
    reachable(node, edges, |e| (&e.from, &e.to))
}

/// Which end of an edge a walk comes from, and which it goes to.
type Link = fn(&LayoutEdge) -> (&String, &String);

/// Depth-first walk; the visited set is what makes cycles end.
fn reachable(start: &str, edges: &[LayoutEdge], link: Link) -> BTreeSet<String> {
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for (from, to) in edges.iter().map(link) {
        next.entry(from).or_default().push(to);
    }
    let (mut seen, mut stack) = (BTreeSet::new(), vec![start]);
    while let Some(node) = stack.pop() {
        for &to in next.get(node).into_iter().flatten() {
            if to != start && seen.insert(to) {
                stack.push(to);
            }
        }
    }
    seen.into_iter().map(str::to_owned).collect()
}

/// NaN, infinite or negative traffic counts as none instead of poisoning sums.
fn traffic(w: f64) -> f64 {
    if w.is_finite() { w.max(0.0) } else { 0.0 }
}

/// A float as an integer ordered like `f64::total_cmp`, so float keys can go
/// in the tuples `sort_by_key` compares.
fn ordered(value: f64) -> i64 {
    let bits = value.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// The input cleaned up: nodes deduplicated (first wins) and numbered in id
/// order, so input order cannot matter; edges merged, sorted, valid.
struct Graph<'a> {
    ids: Vec<&'a str>,
    /// Namespace rank, alphabetical with "none" last: every layer stacks the
    /// namespaces in the same order, so they read as horizontal bands.
    group: Vec<usize>,
    weight: Vec<f64>,
    edges: Vec<(usize, usize, f64)>,
}

impl<'a> Graph<'a> {
    fn new(nodes: &'a [LayoutNode], edges: &[LayoutEdge]) -> Self {
        let mut first: BTreeMap<&str, &LayoutNode> = BTreeMap::new();
        for node in nodes {
            first.entry(&node.id).or_insert(node);
        }
        let groups: BTreeSet<&str> = first.values().filter_map(|n| n.group.as_deref()).collect();
        let rank = |group: Option<&str>| group.map_or(groups.len(), |g| groups.range(..g).count());
        let ids: Vec<&str> = first.keys().copied().collect();
        Graph {
            edges: merged_edges(&ids, edges),
            group: first.values().map(|n| rank(n.group.as_deref())).collect(),
            weight: first.values().map(|n| traffic(n.weight)).collect(),
            ids,
        }
    }

    fn find(&self, id: &str) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }
}

/// Edges between `ids` (sorted), merged. Weights are summed in sorted order,
/// so even the rounding is reproducible.
fn merged_edges(ids: &[&str], edges: &[LayoutEdge]) -> Vec<(usize, usize, f64)> {
    let find = |id: &String| ids.binary_search(&id.as_str()).ok();
    let mut known: Vec<(usize, usize, f64)> = (edges.iter())
        .filter_map(|e| Some((find(&e.from)?, find(&e.to)?, traffic(e.weight))))
        .filter(|&(from, to, _)| from != to)
        .collect();
    known.sort_by_key(|&(from, to, weight)| (from, to, ordered(weight)));
    known.dedup_by(|next, kept| {
        let same = (next.0, next.1) == (kept.0, kept.1);
        kept.2 += if same { next.2 } else { 0.0 };
        same
    });
    known
}

fn adjacency(n: usize, edges: impl Iterator<Item = (usize, usize)>) -> Vec<Vec<usize>> {
    let mut lists = vec![Vec::new(); n];
    edges.for_each(|(from, to)| lists[from].push(to));
    lists
}

/// Where each surviving node sat in the previous layout: (layer, order).
/// Layers are capped at the previous node count, which no real layout
/// exceeds, so a corrupt `previous` cannot blow up the work.
fn anchors(graph: &Graph, previous: Option<&Layout>) -> Vec<Option<(usize, usize)>> {
    let mut anchors = vec![None; graph.ids.len()];
    let nodes = previous.map_or(&[][..], |p| &p.nodes[..]);
    for node in nodes {
        if let Some(i) = graph.find(&node.id) {
            anchors[i].get_or_insert((node.layer.min(nodes.len()), node.order));
        }
    }
    anchors
}

/// The graph made acyclic, and the input edges reversed for it. Edges are
/// kept in turn, heaviest first, unless kept edges already lead back from
/// callee to caller; then they are reversed. So only edges on cycles turn,
/// the quietest first, and a lone cycle loses one edge. With `previous`,
/// edges that pointed right in it go first and those that pointed left last,
/// so a refresh reverses the same edges.
fn break_cycles(graph: &Graph, anchors: &[Option<(usize, usize)>]) -> (Dag, Vec<(usize, usize)>) {
    let n = graph.ids.len();
    let layer = |v: usize| anchors[v].map(|a| a.0);
    let class = |from, to| {
        layer(from)
            .zip(layer(to))
            .map_or(1, |(a, b)| 1 + a.cmp(&b) as i8)
    };
    let mut turns: Vec<&(usize, usize, f64)> = graph.edges.iter().collect();
    turns.sort_by_key(|&&(from, to, weight)| (class(from, to), Reverse(ordered(weight))));
    let (mut kept, mut dag, mut reversed) = (vec![Vec::new(); n], Vec::new(), Vec::new());
    for &&(from, to, _) in &turns {
        let back = reaches(&kept, to, from);
        reversed.extend(back.then_some((from, to)));
        dag.push(if back { (to, from) } else { (from, to) });
        kept[from].extend((!back).then_some(to));
    }
    reversed.sort_unstable();
    dag.sort_unstable();
    dag.dedup();
    (Dag::new(n, &dag), reversed)
}

/// Whether a call chain leads from `from` to `to`; stops once it does.
fn reaches(callees: &[Vec<usize>], from: usize, to: usize) -> bool {
    let (mut seen, mut stack) = (vec![false; callees.len()], vec![from]);
    while let Some(node) = stack.pop().filter(|_| !seen[to]) {
        if !std::mem::replace(&mut seen[node], true) {
            stack.extend(&callees[node]);
        }
    }
    seen[to]
}

/// The acyclic graph's neighbour lists.
struct Dag {
    callers: Vec<Vec<usize>>,
    callees: Vec<Vec<usize>>,
}

impl Dag {
    fn new(n: usize, edges: &[(usize, usize)]) -> Self {
        let callers = adjacency(n, edges.iter().map(|&(a, b)| (b, a)));
        let callees = adjacency(n, edges.iter().copied());
        Dag { callers, callees }
    }

    /// Kahn's algorithm, taking ready nodes by number, so it is reproducible.
    fn topological_order(&self) -> Vec<usize> {
        let mut waiting: Vec<usize> = self.callers.iter().map(Vec::len).collect();
        let mut ready: VecDeque<usize> = (0..waiting.len()).filter(|&v| waiting[v] == 0).collect();
        let mut order = Vec::with_capacity(waiting.len());
        while let Some(node) = ready.pop_front() {
            order.push(node);
            for &callee in &self.callees[node] {
                waiting[callee] -= 1;
                if waiting[callee] == 0 {
                    ready.push_back(callee);
                }
            }
        }
        order
    }
}

/// Layers already given to some of `nodes`.
fn placed<'a>(nodes: &'a [usize], layer: &'a [Option<i64>]) -> impl Iterator<Item = i64> + 'a {
    nodes.iter().filter_map(|&v| layer[v])
}

/// A layer per node, edges pointing right, and how far old layers shifted.
/// Survivors keep their layer unless an edge forces them right. New nodes go
/// right of their placed callers, else left of their nearest placed callee,
/// else by longest path (all, without `previous`); those with more callees
/// than callers then move right up to their callees, shortening edges. A new
/// caller of a layer-0 node shifts all layers right alike: a mere pan. Empty
/// layers close up only without `previous`, so a service missing from one
/// refresh comes back to its column.
fn assign_layers(dag: &Dag, anchors: &[Option<(usize, usize)>]) -> (Vec<usize>, usize) {
    let (callers, callees, order) = (&dag.callers, &dag.callees, dag.topological_order());
    let mut layer: Vec<Option<i64>> = vec![None; anchors.len()];
    for &v in &order {
        let after_callers = placed(&callers[v], &layer).max().map(|l| l + 1);
        layer[v] = anchors[v].map(|a| a.0 as i64).max(after_callers);
    }
    for &v in order.iter().rev() {
        if layer[v].is_none() {
            layer[v] = placed(&callees[v], &layer).min().map(|l| l - 1);
        }
    }
    for &v in &order {
        if layer[v].is_none() {
            layer[v] = Some(placed(&callers[v], &layer).max().map_or(0, |l| l + 1));
        }
    }
    for &v in order.iter().rev() {
        if anchors[v].is_none() && callers[v].len() < callees[v].len() {
            layer[v] = layer[v].max(placed(&callees[v], &layer).min().map(|l| l - 1));
        }
    }
    let layer: Vec<i64> = layer.into_iter().map(|l| l.unwrap_or(0)).collect();
    if anchors.iter().all(Option::is_none) {
        let used: BTreeSet<i64> = layer.iter().copied().collect();
        return (layer.iter().map(|l| used.range(..l).count()).collect(), 0);
    }
    let shift = -layer.iter().min().map_or(0, |&l| l.min(0));
    let shifted = layer.iter().map(|l| (l + shift) as usize).collect();
    (shifted, shift as usize)
}

/// Node numbers per layer, top to bottom.
type Rows = Vec<Vec<usize>>;

/// Sweeps, alternately down and up, sort each layer by the mean position of
/// a node's callers (down) or callees (up); the fewest crossings seen wins.
/// `kept`: previous order of nodes whose relative order must stay.
fn ordered_rows(graph: &Graph, dag: &Dag, layers: &[usize], kept: &[Option<usize>]) -> Rows {
    let n = layers.len();
    let mut rows = vec![Vec::new(); layers.iter().max().map_or(0, |l| l + 1)];
    (0..n).for_each(|v| rows[layers[v]].push(v));
    let (mut at, mut key) = (vec![0.0; n], vec![0.0; n]);
    for row in &mut rows {
        reorder(row, graph, kept, &key);
        centre(row, &mut at);
    }
    let mut best = (crossings(&rows, dag, layers, &at), rows.clone());
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let towards = if down { &dag.callers } else { &dag.callees };
        for i in 0..rows.len() {
            let i = if down { i } else { rows.len() - 1 - i };
            for &v in &rows[i] {
                key[v] = mean(&towards[v], &at).unwrap_or(at[v]);
            }
            reorder(&mut rows[i], graph, kept, &key);
            centre(&rows[i], &mut at);
        }
        let count = crossings(&rows, dag, layers, &at);
        if count < best.0 {
            best = (count, rows.clone());
        }
    }
    best.1
}

/// Mean position of `nodes`, if there are any.
fn mean(nodes: &[usize], at: &[f64]) -> Option<f64> {
    let sum: f64 = nodes.iter().map(|&v| at[v]).sum();
    (!nodes.is_empty()).then(|| sum / nodes.len() as f64)
}

/// Sorts a layer by namespace, key, weight (heaviest first) and id, then puts
/// the kept nodes back in their slots in previous order; each namespace's
/// slots go back to its own kept nodes, so namespaces stay contiguous.
fn reorder(row: &mut [usize], graph: &Graph, kept: &[Option<usize>], key: &[f64]) {
    let heavier = |v: usize| Reverse(ordered(graph.weight[v]));
    row.sort_by_key(|&v| (graph.group[v], ordered(key[v]), heavier(v), v));
    let mut survivors: Vec<usize> = row.iter().copied().filter(|&v| kept[v].is_some()).collect();
    survivors.sort_by_key(|&v| (graph.group[v], kept[v]));
    let mut survivors = survivors.into_iter();
    for slot in row.iter_mut().filter(|v| kept[**v].is_some()) {
        *slot = survivors.next().unwrap_or(*slot);
    }
}

/// Position counted from the layer's middle, as layers are drawn centred.
fn centre(row: &[usize], at: &mut [f64]) {
    let middle = row.len().saturating_sub(1) as f64 / 2.0;
    for (i, &v) in row.iter().enumerate() {
        at[v] = i as f64 - middle;
    }
}

/// Crossings of edges between adjacent layers; O(edges²), fine at map sizes.
fn crossings(rows: &Rows, dag: &Dag, layers: &[usize], at: &[f64]) -> usize {
    let mut total = 0;
    for row in rows {
        let mut edges = Vec::new();
        for &u in row {
            let next = layers[u] + 1;
            let adjacent = dag.callees[u].iter().filter(|&&v| layers[v] == next);
            edges.extend(adjacent.map(|&v| (at[u], at[v])));
        }
        for (i, a) in edges.iter().enumerate() {
            let crossed = |b: &&(f64, f64)| (a.0 - b.0) * (a.1 - b.1) < 0.0;
            total += edges[i + 1..].iter().filter(crossed).count();
        }
    }
    total
}

/// Places by node number: layers stack nodes `node_gap` apart (+ `group_gap`
/// between namespaces), centred on the tallest. Odd gaps mean the default.
fn place(graph: &Graph, rows: &Rows, options: &LayoutOptions) -> Vec<Option<PlacedNode>> {
    let d = LayoutOptions::default();
    let gap = |v: f64, or: f64| if v.is_finite() && v >= 0.0 { v } else { or };
    let layer_gap = gap(options.layer_gap, d.layer_gap);
    let node_gap = gap(options.node_gap, d.node_gap);
    let group_gap = gap(options.group_gap, d.group_gap);
    let mut stacks = Vec::with_capacity(rows.len());
    for row in rows {
        let mut offsets = vec![0.0; row.len()];
        for i in 1..row.len() {
            let apart = graph.group[row[i - 1]] != graph.group[row[i]];
            offsets[i] = offsets[i - 1] + node_gap + if apart { group_gap } else { 0.0 };
        }
        stacks.push(offsets);
    }
    let extent = |offsets: &Vec<f64>| offsets.last().copied().unwrap_or(0.0);
    let height = stacks.iter().map(extent).fold(0.0, f64::max);
    let mut placed = vec![None; graph.ids.len()];
    for (layer, (row, offsets)) in rows.iter().zip(&stacks).enumerate() {
        let x = layer as f64 * layer_gap;
        let top = (height - extent(offsets)) / 2.0;
        for (order, (&v, y)) in row.iter().zip(offsets).enumerate() {
            placed[v] = Some(PlacedNode {
                id: graph.ids[v].to_owned(),
                layer,
                order,
                x,
                y: top + y,
            });
        }
    }
    placed
}

#[cfg(test)]
#[path = "map_layout_tests.rs"]
mod tests;
