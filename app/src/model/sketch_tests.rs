use super::*;

/// SplitMix64: a tiny deterministic generator so the distributions below are
/// the same on every run without pulling in a `rand` dependency.
struct Prng(u64);

impl Prng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal via Box-Muller.
    fn next_normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64(); // (0, 1], keeps ln finite
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

const QUANTILES: [f64; 12] = [
    0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0,
];

fn sketch_of(values: &[i64]) -> DurationSketch {
    let mut sketch = DurationSketch::new();
    for &value in values {
        sketch.record(value);
    }
    sketch
}

/// Checks every quantile against the exact sample at the same rank; the
/// half-nanosecond slack is the documented integer rounding.
fn assert_accurate(values: &[i64]) {
    let sketch = sketch_of(values);
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    assert_eq!(sketch.count(), sorted.len() as u64);
    for q in QUANTILES {
        let rank = (q * (sorted.len() - 1) as f64).floor() as usize;
        let exact = sorted[rank].max(0);
        let estimate = sketch.quantile(q).expect("non-empty sketch");
        let tolerance = RELATIVE_ACCURACY * exact as f64 + 0.5;
        assert!(
            (estimate - exact).abs() as f64 <= tolerance,
            "q={q}: estimate {estimate} vs exact {exact}"
        );
    }
}

#[test]
fn uniform_distribution_is_accurate() {
    let mut rng = Prng(1);
    let values: Vec<i64> = (0..10_000)
        .map(|_| 1_000_000 + (rng.next_f64() * 9_000_000.0) as i64)
        .collect();
    assert_accurate(&values);
}

#[test]
fn log_normal_distribution_is_accurate() {
    let mut rng = Prng(2);
    let values: Vec<i64> = (0..20_000)
        .map(|_| (5e6 * (1.2 * rng.next_normal()).exp()).max(1.0) as i64)
        .collect();
    assert_accurate(&values);
}

#[test]
fn constant_distribution_is_accurate() {
    assert_accurate(&[42_000; 500]);
}

#[test]
fn single_value_is_accurate() {
    assert_accurate(&[123_456_789]);
    assert_accurate(&[1]);
}

#[test]
fn values_from_one_microsecond_to_100_seconds_are_accurate() {
    let mut rng = Prng(3);
    let (low, high) = (1e3f64.ln(), 1e11f64.ln());
    let mut values: Vec<i64> = (0..20_000)
        .map(|_| (low + rng.next_f64() * (high - low)).exp() as i64)
        .collect();
    values.extend([1_000, 100_000_000_000]);
    assert_accurate(&values);
}

#[test]
fn small_integers_come_back_exactly() {
    let values: Vec<i64> = (1..=49).collect();
    let sketch = sketch_of(&values);
    for (rank, value) in values.iter().enumerate() {
        let q = rank as f64 / 48.0;
        assert_eq!(sketch.quantile(q), Some(*value), "q={q}");
    }
}

#[test]
fn zero_and_negative_durations_read_back_as_zero() {
    let sketch = sketch_of(&[0, -5, i64::MIN, 1_000]);
    assert_eq!(sketch.count(), 4);
    assert_eq!(sketch.quantile(0.0), Some(0));
    assert_eq!(sketch.quantile(0.5), Some(0));
    let top = sketch.quantile(1.0).expect("non-empty");
    assert!((990..=1_010).contains(&top), "top={top}");
    assert_accurate(&[0, -5, i64::MIN, 1_000]);
}

#[test]
fn huge_durations_are_clamped_to_the_top_bucket() {
    let sketch = sketch_of(&[i64::MAX, MAX_TRACKED_NS * 10]);
    let top = sketch.quantile(1.0).expect("non-empty");
    assert!((top as f64 - 1e15).abs() <= 1e13, "top={top}");
    assert_eq!(sketch.counts.len(), 1);
}

#[test]
fn empty_sketch_has_no_quantiles() {
    let sketch = DurationSketch::new();
    assert!(sketch.is_empty());
    assert_eq!(sketch.count(), 0);
    assert_eq!(sketch.quantile(0.5), None);
    assert_eq!(sketch, DurationSketch::default());
}

#[test]
fn out_of_range_quantiles_are_none() {
    let sketch = sketch_of(&[10, 20]);
    for q in [f64::NAN, -0.01, 1.01, f64::INFINITY] {
        assert_eq!(sketch.quantile(q), None, "q={q}");
    }
}

#[test]
fn max_index_matches_its_formula() {
    let computed = (1e15f64.ln() / GAMMA.ln()).ceil() as usize;
    assert_eq!(MAX_INDEX, computed);
    assert_eq!(bucket_index(MAX_TRACKED_NS), MAX_INDEX);
    assert_eq!(bucket_index(1), 0);
}

#[test]
fn representatives_are_within_accuracy_of_their_bucket_bounds() {
    for index in 1..=MAX_INDEX {
        let upper = (index as f64 * GAMMA.ln()).exp();
        let lower = upper / GAMMA;
        let value = 2.0 * upper / (GAMMA + 1.0);
        assert!(value / lower - 1.0 <= RELATIVE_ACCURACY + 1e-12);
        assert!(1.0 - value / upper <= RELATIVE_ACCURACY + 1e-12);
        assert!(representative(index) > 0);
    }
}

#[test]
fn merge_equals_recording_everything_into_one() {
    let mut rng = Prng(4);
    let first: Vec<i64> = (0..3_000)
        .map(|_| 5_000_000 + rng.next_u64() as i64 % 5_000_000)
        .collect();
    // Lower values force the merged vector to grow at the front.
    let second: Vec<i64> = (0..3_000).map(|i| i % 7 * 10_000 - 10_000).collect();
    let mut merged = sketch_of(&first);
    merged.merge(&sketch_of(&second));
    let all: Vec<i64> = first.iter().chain(&second).copied().collect();
    assert_eq!(merged, sketch_of(&all));

    let mut reversed = sketch_of(&second);
    reversed.merge(&sketch_of(&first));
    assert_eq!(reversed, merged);
}

#[test]
fn merge_with_empty_is_identity() {
    let sketch = sketch_of(&[3, 30, 300]);
    let mut merged = sketch.clone();
    merged.merge(&DurationSketch::new());
    assert_eq!(merged, sketch);
    let mut from_empty = DurationSketch::new();
    from_empty.merge(&sketch);
    assert_eq!(from_empty, sketch);
}

#[test]
fn recording_order_does_not_change_the_sketch() {
    let ascending: Vec<i64> = (1..2_000).map(|i| i * 997).collect();
    let descending: Vec<i64> = ascending.iter().rev().copied().collect();
    assert_eq!(sketch_of(&ascending), sketch_of(&descending));
}

#[test]
fn encoding_roundtrips() {
    let mut rng = Prng(5);
    let mixed: Vec<i64> = (0..5_000)
        .map(|_| rng.next_u64() as i64 % 100_000_000_000)
        .collect();
    for values in [vec![], vec![0, 0, -1], vec![1], mixed] {
        let sketch = sketch_of(&values);
        let bytes = sketch.to_bytes();
        assert_eq!(DurationSketch::decode(&bytes), Ok(sketch));
    }
}

#[test]
fn encode_appends_to_the_buffer() {
    let sketch = sketch_of(&[7, 700]);
    let mut out = vec![0xAA];
    sketch.encode(&mut out);
    assert_eq!(out[0], 0xAA);
    assert_eq!(&out[1..], sketch.to_bytes().as_slice());
}

#[test]
fn one_decade_of_latencies_encodes_compactly() {
    let mut rng = Prng(6);
    let values: Vec<i64> = (0..1_000)
        .map(|_| 1_000_000 + (rng.next_f64() * 9_000_000.0) as i64)
        .collect();
    let bytes = sketch_of(&values).to_bytes();
    // Prints 234: 115 non-empty buckets at 2 bytes each (delta, count), plus
    // version, zero count and bucket count, plus one more byte because the
    // first delta (index 691, i.e. 1 ms) needs two.
    println!(
        "encoded size for 1,000 latencies over one decade: {}",
        bytes.len()
    );
    assert!(bytes.len() < 300, "encoded size {}", bytes.len());
}

#[test]
fn decode_rejects_malformed_headers() {
    use SketchError::*;
    assert_eq!(DurationSketch::decode(&[]), Err(Truncated));
    assert_eq!(DurationSketch::decode(&[2, 0, 0]), Err(BadVersion(2)));
    assert_eq!(
        DurationSketch::decode(&[1, 0, 0x90, 0x0e]),
        Err(TooManyBuckets(1808))
    );
    let too_long = [
        1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
    ];
    assert_eq!(DurationSketch::decode(&too_long), Err(VarintOverflow));
    let endless = [
        1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0,
    ];
    assert_eq!(DurationSketch::decode(&endless), Err(VarintOverflow));
    assert_eq!(DurationSketch::decode(&[1, 0, 0, 9]), Err(TrailingBytes(1)));
}

#[test]
fn decode_rejects_malformed_buckets() {
    use SketchError::*;
    // version, zero count, bucket count, then (delta, count) pairs
    assert_eq!(
        DurationSketch::decode(&[1, 0, 1, 0xc0, 0x0d, 1]),
        Err(IndexOutOfRange(1728))
    );
    assert_eq!(
        DurationSketch::decode(&[1, 0, 2, 5, 1, 0, 1]),
        Err(UnorderedBuckets)
    );
    assert_eq!(DurationSketch::decode(&[1, 0, 1, 5, 0]), Err(EmptyBucket));
    let mut huge = vec![1, 0, 2, 5];
    put_varint(&mut huge, u64::MAX);
    huge.extend([1, 1]);
    assert_eq!(DurationSketch::decode(&huge), Err(CountOverflow));
}

#[test]
fn decode_rejects_every_truncation_of_a_valid_encoding() {
    let mut rng = Prng(7);
    let values: Vec<i64> = (0..2_000)
        .map(|_| rng.next_u64() as i64 % 1_000_000_000)
        .collect();
    let bytes = sketch_of(&values).to_bytes();
    for length in 0..bytes.len() {
        assert!(
            DurationSketch::decode(&bytes[..length]).is_err(),
            "prefix {length}"
        );
    }
}

#[test]
fn decode_survives_garbage_and_bit_flips() {
    let mut rng = Prng(8);
    for _ in 0..20_000 {
        let length = (rng.next_u64() % 64) as usize;
        let garbage: Vec<u8> = (0..length).map(|_| rng.next_u64() as u8).collect();
        if let Ok(sketch) = DurationSketch::decode(&garbage) {
            assert_eq!(DurationSketch::decode(&sketch.to_bytes()), Ok(sketch));
        }
    }
    let valid = sketch_of(&[1, 10, 100, 1_000, 0, 5_000_000]).to_bytes();
    for position in 0..valid.len() * 8 {
        let mut flipped = valid.clone();
        flipped[position / 8] ^= 1 << (position % 8);
        let _ = DurationSketch::decode(&flipped);
    }
}
