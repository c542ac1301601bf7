use super::*;

fn span(span_id: u64, parent_id: Option<u64>, start_ns: i64, duration_ns: i64) -> SpanTiming {
    SpanTiming {
        span_id,
        parent_id,
        start_ns,
        duration_ns,
    }
}

fn segment(span: usize, start_ns: i64, end_ns: i64) -> CriticalSegment {
    CriticalSegment {
        span,
        start_ns,
        end_ns,
    }
}

fn path_of(spans: &[SpanTiming]) -> Vec<CriticalSegment> {
    critical_path(spans, &SpanTree::build(spans))
}

/// Root 1 with children 2, 3, 4 (3 starts first, 2 and 4 tie) and 5 under 3.
fn small_trace() -> Vec<SpanTiming> {
    vec![
        span(1, None, 0, 100),
        span(2, Some(1), 30, 10),
        span(3, Some(1), 10, 50),
        span(4, Some(1), 30, 5),
        span(5, Some(3), 12, 3),
    ]
}

/// A chain where span i runs [i, 2n - i] under span i - 1.
fn nested_chain(n: usize) -> Vec<SpanTiming> {
    let n = n as i64;
    (0..n)
        .map(|i| span(i as u64, (i > 0).then(|| i as u64 - 1), i, 2 * (n - i)))
        .collect()
}

#[test]
fn orders_children_by_start_then_input_order() {
    let tree = SpanTree::build(&small_trace());
    assert_eq!(tree.roots(), &[0]);
    assert_eq!(tree.children(0), &[2, 1, 3]);
    assert_eq!(tree.children(2), &[4]);
    assert!(tree.children(4).is_empty());
    assert_eq!(tree.visible_rows(&HashSet::new()), vec![0, 2, 4, 1, 3]);
    let roots = [
        span(1, None, 50, 1),
        span(2, None, 10, 1),
        span(3, None, 50, 1),
    ];
    assert_eq!(SpanTree::build(&roots).roots(), &[1, 0, 2]);
}

#[test]
fn depths_and_descendant_counts() {
    let tree = SpanTree::build(&small_trace());
    let depths: Vec<usize> = (0..5).map(|i| tree.depth(i)).collect();
    assert_eq!(depths, vec![0, 1, 1, 1, 2]);
    assert_eq!(tree.descendant_count(0), 4);
    assert_eq!(tree.descendant_count(2), 1);
    assert_eq!(tree.descendant_count(4), 0);
    assert_eq!(tree.parent(4), Some(2));
    assert_eq!(tree.parent(0), None);
}

#[test]
fn empty_trace_is_harmless() {
    let tree = SpanTree::build(&[]);
    assert!(tree.is_empty());
    assert!(tree.roots().is_empty());
    assert!(tree.visible_rows(&HashSet::new()).is_empty());
    assert_eq!((tree.start_ns(), tree.end_ns()), (0, 0));
    assert!(critical_path(&[], &tree).is_empty());
}

#[test]
fn unknown_indices_answer_neutrally() {
    let tree = SpanTree::build(&small_trace());
    assert!(tree.children(99).is_empty());
    assert_eq!(tree.depth(99), 0);
    assert!(!tree.is_orphan(99));
    assert!(!tree.is_cycle_cut(99));
    assert_eq!(tree.descendant_count(99), 0);
    assert_eq!(tree.parent(99), None);
}

#[test]
fn spans_with_missing_parents_are_orphan_roots() {
    let spans = [
        span(1, None, 0, 10),
        span(2, Some(99), 5, 10),
        span(3, Some(2), 6, 1),
    ];
    let tree = SpanTree::build(&spans);
    assert_eq!(tree.roots(), &[0, 1]);
    assert!(!tree.is_orphan(0));
    assert!(tree.is_orphan(1));
    assert!(!tree.is_orphan(2));
    assert_eq!(tree.children(1), &[2]);
    assert_eq!(tree.depth(2), 1);
}

#[test]
fn first_of_duplicate_ids_is_the_parent_target() {
    let spans = [
        span(1, None, 0, 10),
        span(1, None, 5, 10),
        span(2, Some(1), 6, 1),
    ];
    let tree = SpanTree::build(&spans);
    assert_eq!(tree.roots(), &[0, 1]);
    assert_eq!(tree.children(0), &[2]);
    assert!(tree.children(1).is_empty());
    // A duplicate naming its own id as parent hangs under the first.
    let tree = SpanTree::build(&[span(1, None, 0, 10), span(1, Some(1), 2, 3)]);
    assert_eq!(tree.roots(), &[0]);
    assert_eq!(tree.children(0), &[1]);
}

#[test]
fn self_parent_becomes_a_root() {
    let spans = [span(7, Some(7), 0, 10), span(8, Some(7), 1, 2)];
    let tree = SpanTree::build(&spans);
    assert_eq!(tree.roots(), &[0]);
    assert!(tree.is_cycle_cut(0));
    assert!(!tree.is_orphan(0));
    assert_eq!(tree.children(0), &[1]);
}

#[test]
fn cycle_is_cut_at_its_first_span() {
    // 1 -> 2 -> 3 -> 1, plus 4 hanging off 3.
    let spans = [
        span(1, Some(3), 0, 10),
        span(2, Some(1), 1, 8),
        span(3, Some(2), 2, 6),
        span(4, Some(3), 3, 1),
    ];
    let tree = SpanTree::build(&spans);
    assert_eq!(tree.roots(), &[0]);
    assert!(tree.is_cycle_cut(0));
    assert!(!tree.is_cycle_cut(1));
    assert_eq!(tree.visible_rows(&HashSet::new()), vec![0, 1, 2, 3]);
    assert_eq!(tree.depth(3), 3);
}

#[test]
fn long_cycle_does_not_loop_or_lose_spans() {
    let n = 10_000_u64;
    let spans: Vec<_> = (0..n).map(|i| span(i, Some((i + 1) % n), 0, 1)).collect();
    let tree = SpanTree::build(&spans);
    assert_eq!(tree.roots(), &[0]);
    assert_eq!(tree.visible_rows(&HashSet::new()).len(), n as usize);
    assert_eq!(tree.depth(1), n as usize - 1);
    assert!(!critical_path(&spans, &tree).is_empty());
}

#[test]
fn collapsing_hides_the_subtree_but_not_the_span() {
    let tree = SpanTree::build(&small_trace());
    let collapsed = HashSet::from([2]);
    assert_eq!(tree.visible_rows(&collapsed), vec![0, 2, 1, 3]);
    assert_eq!(tree.visible_rows(&HashSet::from([0])), vec![0]);
    let leaf_and_unknown = HashSet::from([4, 1000]);
    assert_eq!(tree.visible_rows(&leaf_and_unknown), vec![0, 2, 4, 1, 3]);
    assert_eq!(tree.visible_rows(&HashSet::from([0, 2])), vec![0]);
}

#[test]
fn deep_chain_builds_without_recursion() {
    let spans = nested_chain(10_000);
    let tree = SpanTree::build(&spans);
    assert_eq!(tree.depth(9_999), 9_999);
    assert_eq!(tree.descendant_count(0), 9_999);
    assert_eq!(tree.visible_rows(&HashSet::new()).len(), 10_000);
    assert_eq!(tree.visible_rows(&HashSet::from([5_000])).len(), 5_001);
}

#[test]
fn trace_bounds_ignore_negative_durations() {
    let spans = [
        span(1, None, 100, 50),
        span(2, Some(1), 40, -30),
        span(3, None, 120, 80),
    ];
    let tree = SpanTree::build(&spans);
    assert_eq!(tree.start_ns(), 40);
    assert_eq!(tree.end_ns(), 200);
    assert_eq!(spans[1].end_ns(), 40);
    assert_eq!(span(1, None, i64::MAX - 1, 10).end_ns(), i64::MAX);
}

#[test]
fn critical_path_through_sequential_children() {
    assert_eq!(path_of(&[span(1, None, 5, 10)]), vec![segment(0, 5, 15)]);
    let spans = [
        span(1, None, 0, 100),
        span(2, Some(1), 10, 30),
        span(3, Some(1), 40, 30),
    ];
    let expected = vec![
        segment(0, 0, 10),
        segment(1, 10, 40),
        segment(2, 40, 70),
        segment(0, 70, 100),
    ];
    assert_eq!(path_of(&spans), expected);
}

#[test]
fn overlapping_child_that_ends_too_late_is_not_blocking() {
    // A [10, 60] still runs when B [30, 90] starts, so after B the parent owns [0, 30].
    let spans = [
        span(1, None, 0, 100),
        span(2, Some(1), 10, 50),
        span(3, Some(1), 30, 60),
    ];
    let expected = vec![segment(0, 0, 30), segment(2, 30, 90), segment(0, 90, 100)];
    assert_eq!(path_of(&spans), expected);
}

#[test]
fn child_ending_after_parent_is_clipped() {
    let spans = [
        span(1, None, 0, 100),
        span(2, Some(1), 50, 100),
        span(3, Some(2), 90, 50),
    ];
    let expected = vec![segment(0, 0, 50), segment(1, 50, 90), segment(2, 90, 100)];
    assert_eq!(path_of(&spans), expected);
}

#[test]
fn child_starting_before_parent_is_clipped() {
    let spans = [span(1, None, 10, 90), span(2, Some(1), 0, 50)];
    let expected = vec![segment(1, 10, 50), segment(0, 50, 100)];
    assert_eq!(path_of(&spans), expected);
}

#[test]
fn child_entirely_outside_parent_is_ignored_with_its_subtree() {
    let spans = [
        span(1, None, 0, 100),
        span(2, Some(1), 150, 50),
        span(3, Some(2), 160, 10),
    ];
    assert_eq!(path_of(&spans), vec![segment(0, 0, 100)]);
}

#[test]
fn gaps_between_children_belong_to_the_parent() {
    let spans = [
        span(1, None, 0, 100),
        span(2, Some(1), 20, 10),
        span(3, Some(1), 60, 10),
    ];
    let expected = vec![
        segment(0, 0, 20),
        segment(1, 20, 30),
        segment(0, 30, 60),
        segment(2, 60, 70),
        segment(0, 70, 100),
    ];
    assert_eq!(path_of(&spans), expected);
}

#[test]
fn walk_returns_to_parent_and_picks_earlier_child() {
    let spans = [
        span(1, None, 0, 100),
        span(2, Some(1), 0, 40),
        span(3, Some(1), 50, 50),
        span(4, Some(3), 60, 20),
    ];
    let expected = vec![
        segment(1, 0, 40),
        segment(0, 40, 50),
        segment(2, 50, 60),
        segment(3, 60, 80),
        segment(2, 80, 100),
    ];
    assert_eq!(path_of(&spans), expected);
}

#[test]
fn zero_length_children_neither_loop_nor_split_the_parent() {
    let spans = [
        span(1, None, 0, 100),
        span(2, Some(1), 50, 0),
        span(3, Some(1), 100, 0),
    ];
    assert_eq!(path_of(&spans), vec![segment(0, 0, 100)]);
}

#[test]
fn several_roots_use_the_one_ending_last() {
    let spans = [
        span(1, None, 0, 50),
        span(2, None, 10, 70),
        span(3, Some(99), 0, 60),
    ];
    assert_eq!(path_of(&spans), vec![segment(1, 10, 80)]);
    let tied = [span(1, None, 5, 75), span(2, None, 0, 80)];
    assert_eq!(path_of(&tied), vec![segment(1, 0, 80)]);
}

#[test]
fn tree_from_other_spans_gives_no_path() {
    let tree = SpanTree::build(&small_trace());
    assert!(critical_path(&small_trace()[..2], &tree).is_empty());
}

#[test]
fn critical_path_of_a_10000_deep_chain() {
    let n = 10_000;
    // 64 KiB of stack: recursing once per level would overflow it.
    let small_stack = std::thread::Builder::new().stack_size(64 * 1024);
    let walk = small_stack.spawn(move || path_of(&nested_chain(n)));
    let path = walk.unwrap().join().unwrap();
    assert_eq!(path.len(), 2 * n - 1);
    assert_eq!(path.first(), Some(&segment(0, 0, 1)));
    assert_eq!(
        path.last(),
        Some(&segment(0, 2 * n as i64 - 1, 2 * n as i64))
    );
    assert!(path.windows(2).all(|w| w[0].end_ns == w[1].start_ns));
    assert_eq!(path[n - 1], segment(n - 1, n as i64 - 1, n as i64 + 1));
}

#[test]
fn critical_path_of_a_10000_wide_fan() {
    let n = 10_000_i64;
    let mut spans = vec![span(0, None, 0, 10 * n)];
    // Input order reversed, so the path cannot just echo the input.
    spans.extend(
        (0..n)
            .rev()
            .map(|i| span(i as u64 + 1, Some(0), 10 * i, 10)),
    );
    let path = path_of(&spans);
    assert_eq!(path.len(), n as usize);
    assert!(
        path.iter()
            .all(|s| s.span != 0 && s.end_ns - s.start_ns == 10)
    );
    assert!(path.windows(2).all(|w| w[0].end_ns == w[1].start_ns));
}

#[test]
fn wide_fan_of_identical_children_takes_one() {
    let mut spans = vec![span(0, None, 0, 100)];
    spans.extend((1..=10_000).map(|i| span(i, Some(0), 0, 100)));
    assert_eq!(path_of(&spans), vec![segment(1, 0, 100)]);
}

#[test]
fn window_covers_visible_rows_plus_overscan() {
    assert_eq!(visible_window(100.0, 200.0, 20.0, 1_000, 0), 5..15);
    assert_eq!(visible_window(100.0, 200.0, 20.0, 1_000, 3), 2..18);
    assert_eq!(visible_window(110.0, 200.0, 20.0, 1_000, 0), 5..16);
}

#[test]
fn window_is_clamped_to_the_list() {
    assert_eq!(visible_window(0.0, 200.0, 20.0, 1_000, 5), 0..15);
    assert_eq!(visible_window(0.0, 200.0, 20.0, 12, 5), 0..12);
    assert_eq!(visible_window(100.0, 200.0, 20.0, 0, 5), 0..0);
    assert_eq!(visible_window(1e9, 200.0, 20.0, 100, 5), 100..100);
    assert_eq!(visible_window(100.0, 200.0, 20.0, 50, usize::MAX), 0..50);
}

#[test]
fn window_handles_zero_and_odd_heights() {
    assert_eq!(visible_window(100.0, 0.0, 20.0, 1_000, 0), 5..5);
    assert_eq!(visible_window(100.0, 0.0, 20.0, 1_000, 2), 3..7);
    assert_eq!(visible_window(100.0, 200.0, 0.0, 1_000, 4), 0..4);
    assert_eq!(visible_window(100.0, 200.0, -1.0, 2, 4), 0..2);
    assert_eq!(visible_window(100.0, 200.0, f64::NAN, 1_000, 4), 0..4);
    assert_eq!(visible_window(-50.0, 40.0, 20.0, 1_000, 0), 0..2);
    assert_eq!(visible_window(f64::NAN, 40.0, 20.0, 1_000, 1), 0..3);
    assert_eq!(visible_window(0.0, f64::INFINITY, 20.0, 50, 1), 0..50);
    assert_eq!(visible_window(f64::INFINITY, 40.0, 20.0, 50, 1), 50..50);
}

fn labels(ticks: &[(i64, String)]) -> Vec<&str> {
    ticks.iter().map(|(_, label)| label.as_str()).collect()
}

#[test]
fn ruler_steps_are_1_2_5_with_mixed_units() {
    let ticks = ruler_ticks(2_000_000, 8);
    assert_eq!(labels(&ticks), ["0µs", "500µs", "1ms", "1.5ms", "2ms"]);
    let offsets: Vec<i64> = ticks.iter().map(|(offset, _)| *offset).collect();
    assert_eq!(offsets, [0, 500_000, 1_000_000, 1_500_000, 2_000_000]);
}

#[test]
fn ruler_labels_quarter_steps_exactly() {
    let ticks = ruler_ticks(1_250_000, 25);
    assert_eq!(ticks.len(), 26);
    assert!(ticks.contains(&(250_000, "250µs".to_owned())));
    assert!(ticks.contains(&(1_250_000, "1.25ms".to_owned())));
}

#[test]
fn ruler_seconds_and_nanoseconds() {
    assert_eq!(labels(&ruler_ticks(5_000_000_000, 3)), ["0s", "2s", "4s"]);
    let ticks = ruler_ticks(1_000, 10);
    assert_eq!(ticks.first().map(|t| t.1.as_str()), Some("0ns"));
    assert_eq!(ticks.get(3).map(|t| t.1.as_str()), Some("300ns"));
    assert_eq!(ticks.last().map(|t| t.1.as_str()), Some("1µs"));
}

#[test]
fn ruler_never_exceeds_target_plus_one() {
    for duration in [1, 7, 999, 1_234_567, 86_400_000_000_000] {
        for target in 1..=20 {
            let count = ruler_ticks(duration, target).len();
            assert!(
                (1..=target + 1).contains(&count),
                "{duration} {target}: {count}"
            );
        }
    }
}

#[test]
fn ruler_degenerate_inputs() {
    assert_eq!(ruler_ticks(0, 10), vec![(0, "0ns".to_owned())]);
    assert_eq!(ruler_ticks(-5, 10), vec![(0, "0ns".to_owned())]);
    assert_eq!(labels(&ruler_ticks(10, 0)), ["0ns", "10ns"]);
    assert!(ruler_ticks(i64::MAX, 1).len() <= 2);
    assert!(ruler_ticks(i64::MAX, usize::MAX).len() <= MAX_RULER_TICKS + 1);
}

#[test]
fn exact_decimal_writes_fractions_without_float_noise() {
    assert_eq!(exact_decimal(1_500_000, 1_000_000), "1.5");
    assert_eq!(exact_decimal(1_000_001, 1_000_000), "1.000001");
    assert_eq!(exact_decimal(-500, 1_000), "-0.5");
    assert_eq!(exact_decimal(42, 1), "42");
}
