//! The trace waterfall as plain data: span tree, rows on screen, time ruler
//! and critical path. No Leptos, no clock, so server and browser agree and
//! it tests without a DOM. Everything is iterative: traces can be 10,000
//! spans deep, far deeper than the browser's stack.

use std::collections::{HashMap, HashSet};
use std::iter::successors;
use std::ops::Range;

/// The only parts of a span the waterfall needs to lay it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanTiming {
    pub span_id: u64,
    pub parent_id: Option<u64>,
    pub start_ns: i64,
    pub duration_ns: i64,
}

impl SpanTiming {
    /// A negative duration (clock skew, corrupt data) counts as zero: the
    /// span becomes a point rather than running backwards.
    pub fn end_ns(&self) -> i64 {
        self.start_ns.saturating_add(self.duration_ns.max(0))
    }
}

/// Parent/child structure of one trace, spans named by their index in the
/// slice given to [`SpanTree::build`]. What each render asks (children,
/// depth, subtree size, pre-order) is computed once, so a toggle stays O(n).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpanTree {
    roots: Vec<usize>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    depth: Vec<usize>,
    orphan: Vec<bool>,
    cycle_cut: Vec<bool>,
    descendants: Vec<usize>,
    /// Every span in display order; each subtree is a contiguous run, which
    /// is what lets [`SpanTree::visible_rows`] skip a collapsed one in O(1).
    preorder: Vec<usize>,
    start_ns: i64,
    end_ns: i64,
}

impl SpanTree {
    /// Roots are spans with no parent, or whose parent is not in the trace
    /// (orphans, marked so the UI can say "parent missing"). Roots and
    /// children are ordered by start time, ties by input order. Duplicate
    /// ids: the first wins as parent target. A cycle is cut at its earliest
    /// span in input order, which becomes a root ([`SpanTree::is_cycle_cut`]).
    pub fn build(spans: &[SpanTiming]) -> SpanTree {
        let (mut parent, orphan) = link_parents(spans);
        let cycle_cut = cut_cycles(&mut parent);
        let by_start = |a: &usize, b: &usize| spans[*a].start_ns.cmp(&spans[*b].start_ns);
        let mut roots: Vec<usize> = (0..spans.len()).filter(|&i| parent[i].is_none()).collect();
        roots.sort_by(by_start);
        let mut children = vec![Vec::new(); spans.len()];
        for (child, link) in parent.iter().enumerate() {
            if let Some(parent) = *link {
                children[parent].push(child);
            }
        }
        children.iter_mut().for_each(|list| list.sort_by(by_start));
        let mut tree = SpanTree {
            roots,
            parent,
            children,
            orphan,
            cycle_cut,
            start_ns: spans.iter().map(|s| s.start_ns).min().unwrap_or(0),
            end_ns: spans.iter().map(SpanTiming::end_ns).max().unwrap_or(0),
            ..SpanTree::default()
        };
        tree.number_rows(spans.len());
        tree
    }

    /// Fills pre-order, depths and subtree sizes in one pass down and one up.
    fn number_rows(&mut self, len: usize) {
        let mut depth = vec![0; len];
        let mut preorder = Vec::with_capacity(len);
        let mut stack: Vec<usize> = self.roots.iter().rev().copied().collect();
        while let Some(span) = stack.pop() {
            preorder.push(span);
            for &child in self.children(span).iter().rev() {
                depth[child] = depth[span] + 1;
                stack.push(child);
            }
        }
        let mut descendants = vec![0; len];
        for &span in preorder.iter().rev() {
            if let Some(parent) = self.parent[span] {
                descendants[parent] += descendants[span] + 1;
            }
        }
        self.depth = depth;
        self.preorder = preorder;
        self.descendants = descendants;
    }

    /// The length of the slice the tree was built from.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    pub fn roots(&self) -> &[usize] {
        &self.roots
    }

    /// Children in start order; empty for leaves and for unknown indices.
    pub fn children(&self, span: usize) -> &[usize] {
        self.children.get(span).map_or(&[], Vec::as_slice)
    }

    /// The parent the tree actually uses: `None` for roots, orphans and cycle cuts.
    pub fn parent(&self, span: usize) -> Option<usize> {
        self.parent.get(span).copied().flatten()
    }

    /// Indentation level: 0 for roots.
    pub fn depth(&self, span: usize) -> usize {
        self.depth.get(span).copied().unwrap_or(0)
    }

    /// The span names a parent that is not in the trace (not yet arrived,
    /// dropped by sampling), so the UI can say "parent missing".
    pub fn is_orphan(&self, span: usize) -> bool {
        self.orphan.get(span).copied().unwrap_or(false)
    }

    /// The span's parent was ignored to break a cycle; the UI may flag it.
    pub fn is_cycle_cut(&self, span: usize) -> bool {
        self.cycle_cut.get(span).copied().unwrap_or(false)
    }

    /// All spans below this one, for the "N hidden" badge of a collapsed row.
    pub fn descendant_count(&self, span: usize) -> usize {
        self.descendants.get(span).copied().unwrap_or(0)
    }

    /// Pre-order rows, skipping the subtrees of collapsed spans (the
    /// collapsed span itself is shown). O(n): a subtree is a contiguous run
    /// of the pre-order, so a collapsed span skips it in one jump.
    pub fn visible_rows(&self, collapsed: &HashSet<usize>) -> Vec<usize> {
        let mut rows = Vec::with_capacity(self.preorder.len());
        let mut position = 0;
        while let Some(&span) = self.preorder.get(position) {
            rows.push(span);
            let hidden = collapsed.contains(&span).then_some(self.descendants[span]);
            position += 1 + hidden.unwrap_or(0);
        }
        rows
    }

    /// Earliest start over all spans; 0 for an empty trace.
    pub fn start_ns(&self) -> i64 {
        self.start_ns
    }

    /// Latest end over all spans; 0 for an empty trace.
    pub fn end_ns(&self) -> i64 {
        self.end_ns
    }
}

/// Resolves each span's parent id to an index, first occurrence of an id
/// winning, and notes which spans point at an id the trace lacks.
fn link_parents(spans: &[SpanTiming]) -> (Vec<Option<usize>>, Vec<bool>) {
    let mut index_of_id: HashMap<u64, usize> = HashMap::with_capacity(spans.len());
    for (index, span) in spans.iter().enumerate() {
        index_of_id.entry(span.span_id).or_insert(index);
    }
    let mut orphan = vec![false; spans.len()];
    let parent = spans
        .iter()
        .enumerate()
        .map(|(index, span)| {
            let wanted = span.parent_id?;
            let found = index_of_id.get(&wanted).copied();
            orphan[index] = found.is_none();
            found
        })
        .collect();
    (parent, orphan)
}

/// Breaks every cycle in the parent links (a self-parent included) by making
/// its lowest-index span a root; returns which were cut. O(n): each span is
/// walked once.
fn cut_cycles(parent: &mut [Option<usize>]) -> Vec<bool> {
    #[derive(Clone, Copy, PartialEq)]
    enum Walk {
        Unseen,
        OnPath,
        Done,
    }
    let mut state = vec![Walk::Unseen; parent.len()];
    let mut cut = vec![false; parent.len()];
    let mut path = Vec::new();
    for start in 0..parent.len() {
        path.clear();
        let mut cursor = Some(start);
        while let Some(span) = cursor.filter(|&s| state[s] == Walk::Unseen) {
            state[span] = Walk::OnPath;
            path.push(span);
            cursor = parent[span];
        }
        if let Some(revisited) = cursor
            && state[revisited] == Walk::OnPath
        {
            let loop_start = path.iter().position(|&s| s == revisited).unwrap_or(0);
            if let Some(&victim) = path[loop_start..].iter().min() {
                parent[victim] = None;
                cut[victim] = true;
            }
        }
        for &span in &path {
            state[span] = Walk::Done;
        }
    }
    cut
}

/// A piece of a span's time that lies on the critical path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CriticalSegment {
    pub span: usize,
    pub start_ns: i64,
    pub end_ns: i64,
}

/// Jaeger's critical path: from the root's end walk back; at each span take
/// the child finishing last at or before the cursor, descend into it, and
/// give the parent the gap between that child's end and the cursor.
/// Children are clipped to their (clipped) parent, and dropped with their
/// subtrees if wholly outside: time outside the parent cannot have made it
/// wait. Of several roots, the one ending last is used (ties: first in
/// [`SpanTree::roots`]). Segments sorted by start; none if `tree` was not
/// built from `spans`.
pub fn critical_path(spans: &[SpanTiming], tree: &SpanTree) -> Vec<CriticalSegment> {
    if spans.len() != tree.len() {
        return Vec::new();
    }
    let Some(root) = last_ending_root(spans, tree) else {
        return Vec::new();
    };
    let mut segments = walk_back(root, spans, tree);
    segments.reverse();
    segments.sort_by_key(|segment| segment.start_ns);
    segments
}

/// `max_by_key` keeps the last of equal maxima, so scanning the roots in
/// reverse makes the earliest-starting root win a tie.
fn last_ending_root(spans: &[SpanTiming], tree: &SpanTree) -> Option<usize> {
    let roots = tree.roots().iter().rev().copied();
    roots.max_by_key(|&root| spans[root].end_ns())
}

/// One span being walked back: its clipped start, the cursor, and its
/// children clipped to its bounds (a [`CriticalSegment`] doubles as "span
/// over an interval"), latest-ending first, with how many were passed over.
struct Frame {
    span: usize,
    start_ns: i64,
    cursor: i64,
    children: Vec<CriticalSegment>,
    passed: usize,
}

impl Frame {
    fn enter(clipped: CriticalSegment, spans: &[SpanTiming], tree: &SpanTree) -> Frame {
        let clip = |child: usize| CriticalSegment {
            span: child,
            start_ns: spans[child].start_ns.max(clipped.start_ns),
            end_ns: spans[child].end_ns().min(clipped.end_ns),
        };
        let mut children: Vec<CriticalSegment> = tree
            .children(clipped.span)
            .iter()
            .map(|&c| clip(c))
            .collect();
        children.retain(|child| child.start_ns <= child.end_ns);
        children.sort_by_key(|child| std::cmp::Reverse(child.end_ns));
        let (span, start_ns, cursor) = (clipped.span, clipped.start_ns, clipped.end_ns);
        Frame {
            span,
            start_ns,
            cursor,
            children,
            passed: 0,
        }
    }

    /// The child ending last at or before the cursor. The cursor only moves
    /// back, so a child passed over never qualifies again: each child is
    /// looked at once and the whole walk is O(n log n).
    fn next_blocking_child(&mut self) -> Option<CriticalSegment> {
        while let Some(&child) = self.children.get(self.passed) {
            self.passed += 1;
            if child.end_ns <= self.cursor {
                return Some(child);
            }
        }
        None
    }
}

/// The walk itself, with an explicit stack instead of recursion so a
/// 10,000-deep chain cannot overflow. Segments come out latest first.
fn walk_back(root: usize, spans: &[SpanTiming], tree: &SpanTree) -> Vec<CriticalSegment> {
    let (start_ns, end_ns) = (spans[root].start_ns, spans[root].end_ns());
    let whole_root = CriticalSegment {
        span: root,
        start_ns,
        end_ns,
    };
    let mut stack = vec![Frame::enter(whole_root, spans, tree)];
    let mut segments = Vec::new();
    while let Some(frame) = stack.last_mut() {
        if let Some(child) = frame.next_blocking_child() {
            push_earlier(&mut segments, frame.span, child.end_ns, frame.cursor);
            frame.cursor = child.start_ns;
            stack.push(Frame::enter(child, spans, tree));
        } else {
            push_earlier(&mut segments, frame.span, frame.start_ns, frame.cursor);
            stack.pop();
        }
    }
    segments
}

/// Records `span`'s time in [start, end), going backwards in time: empty
/// pieces are dropped and a piece touching the previous one of the same span
/// (around a zero-length child) is merged into it.
fn push_earlier(segments: &mut Vec<CriticalSegment>, span: usize, start_ns: i64, end_ns: i64) {
    if start_ns >= end_ns {
        return;
    }
    if let Some(later) = segments.last_mut()
        && later.span == span
        && later.start_ns == end_ns
    {
        later.start_ns = start_ns;
        return;
    }
    segments.push(CriticalSegment {
        span,
        start_ns,
        end_ns,
    });
}

/// Rows to render for a virtualised list: `[first, last)` with `overscan`
/// rows either side, clamped to `total_rows`. Negative or NaN scroll and
/// viewport read as 0 (overscroll bounce, unmeasured). A non-positive row
/// height means unknown layout: render the first `overscan` rows, not 10,000.
pub fn visible_window(
    scroll_top: f64,
    viewport_height: f64,
    row_height: f64,
    total_rows: usize,
    overscan: usize,
) -> Range<usize> {
    if !(row_height.is_finite() && row_height > 0.0) {
        return 0..overscan.min(total_rows);
    }
    // `f64::max` ignores NaN, so NaN becomes 0 here too.
    let top = scroll_top.max(0.0);
    let bottom = top + viewport_height.max(0.0);
    // `as usize` saturates, so absurd scroll offsets land past the end.
    let first_visible = (top / row_height).floor() as usize;
    let end_visible = (bottom / row_height).ceil() as usize;
    let last = end_visible.saturating_add(overscan).min(total_rows);
    let first = first_visible.saturating_sub(overscan).min(last);
    first..last
}

/// Most ticks a ruler produces whatever `target` says: no screen fits more
/// labels, and the cap bounds the allocation.
const MAX_RULER_TICKS: usize = 1_000;

/// Units for ruler labels, largest first. The micro sign is U+03BC (Greek mu).
const RULER_UNITS: [(i64, &str); 4] = [
    (1_000_000_000, "s"),
    (1_000_000, "ms"),
    (1_000, "\u{b5}s"),
    (1, "ns"),
];

/// Ruler ticks for a trace of `duration_ns`: at most `target + 1` (so labels
/// sized for `target` never collide) at 1-2-5 steps, as `(offset_ns, label)`
/// like "0µs", "250µs", "1.5ms", "2s": each in the largest unit it reaches,
/// zero in the step's unit. A non-positive duration gives one tick.
pub fn ruler_ticks(duration_ns: i64, target: usize) -> Vec<(i64, String)> {
    if duration_ns <= 0 {
        return vec![(0, "0ns".to_owned())];
    }
    let step = nice_step_ns(duration_ns, target.clamp(1, MAX_RULER_TICKS));
    successors(Some(0_i64), |offset| offset.checked_add(step))
        .take_while(|&offset| offset <= duration_ns)
        .map(|offset| (offset, ruler_label(offset, step)))
        .collect()
}

/// The smallest 1, 2 or 5 × 10^k nanoseconds that fits `duration_ns` into
/// `target` steps.
fn nice_step_ns(duration_ns: i64, target: usize) -> i64 {
    let target = i64::try_from(target).unwrap_or(i64::MAX);
    let wanted = duration_ns / target + i64::from(duration_ns % target != 0);
    successors(Some(1_i64), |magnitude| magnitude.checked_mul(10))
        .flat_map(|magnitude| [1, 2, 5].map(|multiplier| magnitude.checked_mul(multiplier)))
        .map_while(|step| step)
        .find(|&step| step >= wanted)
        .unwrap_or(wanted)
}

fn ruler_label(offset_ns: i64, step_ns: i64) -> String {
    let sized_by = if offset_ns == 0 { step_ns } else { offset_ns };
    let (unit_ns, symbol) = RULER_UNITS
        .iter()
        .copied()
        .find(|&(unit_ns, _)| sized_by >= unit_ns)
        .unwrap_or((1, "ns"));
    format!("{}{symbol}", exact_decimal(offset_ns, unit_ns))
}

/// `value / unit` written exactly (integer arithmetic, no float noise), with
/// trailing zeros dropped: 1_250_000 / 1_000_000 is "1.25".
fn exact_decimal(value: i64, unit: i64) -> String {
    let whole = value / unit;
    let fraction = (value % unit).unsigned_abs();
    if fraction == 0 {
        return whole.to_string();
    }
    let width = unit.ilog10() as usize;
    let digits = format!("{fraction:0width$}");
    let sign = if value < 0 && whole == 0 { "-" } else { "" };
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
#[path = "waterfall_tests.rs"]
mod tests;
