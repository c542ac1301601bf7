//! A mergeable sketch of span durations, the percentile half of a RED rollup.
//!
//! Spans are rolled up per (operation, minute) into rows that hold a count, an
//! error count, a sum and one of these sketches. A page showing any time range
//! merges the rows it covers and reads p50/p95/p99 from the merged sketch, so
//! the sketch has to merge exactly (no accuracy lost by merging) and stay small
//! on disk. Both follow from the DDSketch design: durations are counted in
//! logarithmic buckets whose boundaries are fixed, so merging is adding counts.
//!
//! **Error bound:** every percentile is within 1 % of a true sample value at
//! that rank. Concretely, with `RELATIVE_ACCURACY = 0.01`, `quantile(q)`
//! returns a value `x` such that `|x - v| <= 0.01 * v`, where `v` is the
//! recorded value at rank `floor(q * (count - 1))` in sorted order (DDSketch's
//! lower-rank convention). Results are whole nanoseconds, so the rounding of
//! the bucket's representative value adds at most half a nanosecond on top.
//! Durations `<= 0` are counted separately and read back as exactly 0;
//! durations above 10^15 ns (about 11.6 days) are counted in the top bucket
//! and read back as about 10^15 ns, because no span worth a percentile runs
//! that long and the cap bounds memory and decoding work.
//!
//! Bucket `i` holds the values `v` with `gamma^(i-1) < v <= gamma^i`, where
//! `gamma = (1 + a) / (1 - a)`, and reports `2 * gamma^i / (gamma + 1)`, which
//! is within `a` of both ends of the bucket.

/// Relative error of every quantile; 1 % keeps a decade of latencies in about
/// 115 buckets, which is what makes a minute's row cheap to store.
pub const RELATIVE_ACCURACY: f64 = 0.01;

/// Ratio between consecutive bucket boundaries.
const GAMMA: f64 = (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY);

/// Largest duration given its own bucket; larger ones are clamped to it so
/// that a sketch never holds more than `MAX_INDEX + 1` buckets.
const MAX_TRACKED_NS: i64 = 1_000_000_000_000_000;

/// `ceil(ln(1e15) / ln(GAMMA))`, the bucket of `MAX_TRACKED_NS` (1 ns is
/// bucket 0). A test checks it against the formula.
const MAX_INDEX: usize = 1727;

/// First byte of every encoding, so the format can change without
/// misreading rows written by an older build.
const FORMAT_VERSION: u8 = 1;

/// Longest LEB128 encoding of a `u64`.
const MAX_VARINT_LEN: usize = 10;

/// Why stored bytes could not be read back as a sketch. Decoding never
/// trusts its input: rows may be corrupt or from a future format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SketchError {
    #[error("sketch encoding is truncated")]
    Truncated,
    #[error("unsupported sketch encoding version {0}")]
    BadVersion(u8),
    #[error("sketch encoding declares {0} buckets, more than a sketch can hold")]
    TooManyBuckets(u64),
    #[error("sketch bucket index {0} is outside the supported range")]
    IndexOutOfRange(u64),
    #[error("sketch buckets are not in strictly increasing order")]
    UnorderedBuckets,
    #[error("sketch bucket has a zero count")]
    EmptyBucket,
    #[error("sketch varint does not fit in 64 bits")]
    VarintOverflow,
    #[error("sketch counts overflow a 64-bit total")]
    CountOverflow,
    #[error("{0} unexpected bytes after the sketch")]
    TrailingBytes(usize),
}

/// Counts of durations in logarithmic buckets, plus a count of durations `<= 0`.
///
/// Buckets are stored densely from `offset` so that `record` is an index
/// computation and an increment. The vector is kept trimmed (its first and
/// last counts are non-zero), so equal contents always compare equal however
/// the sketch was built.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DurationSketch {
    zero_count: u64,
    offset: usize,
    counts: Vec<u64>,
    total: u64,
}

impl DurationSketch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one duration. Allocates only when the value falls outside the
    /// bucket range seen so far, which stops happening once a sketch is warm.
    pub fn record(&mut self, duration_ns: i64) {
        if duration_ns <= 0 {
            self.zero_count = self.zero_count.saturating_add(1);
        } else {
            self.add_to_bucket(bucket_index(duration_ns), 1);
        }
        self.total = self.total.saturating_add(1);
    }

    /// Adds `other`'s counts. Buckets are fixed, so the result is identical to
    /// having recorded both inputs into one sketch.
    pub fn merge(&mut self, other: &DurationSketch) {
        if let Some(last) = other.last_index() {
            self.cover(other.offset, last);
            let start = other.offset - self.offset;
            for (dst, src) in self.counts[start..].iter_mut().zip(&other.counts) {
                *dst = dst.saturating_add(*src);
            }
        }
        self.zero_count = self.zero_count.saturating_add(other.zero_count);
        self.total = self.total.saturating_add(other.total);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The recorded value at rank `floor(q * (count - 1))`, within the module's
    /// error bound (DDSketch's lower-rank convention); `None` when empty.
    /// Also `None` when `q` is NaN or outside `[0, 1]`: a caller asking for
    /// p150 has a bug that a clamped answer would hide.
    pub fn quantile(&self, q: f64) -> Option<i64> {
        if self.total == 0 || !(0.0..=1.0).contains(&q) {
            return None;
        }
        let rank = q * (self.total - 1) as f64;
        let mut seen = self.zero_count;
        if seen as f64 > rank {
            return Some(0);
        }
        for (position, &count) in self.counts.iter().enumerate() {
            seen = seen.saturating_add(count);
            if seen as f64 > rank {
                return Some(representative(self.offset + position));
            }
        }
        // Only reachable through float rounding of `rank` near the top.
        self.last_index().map(representative)
    }

    /// Appends the compact, sparse storage form, all integers LEB128 varints:
    /// a version byte, the zero count, the number of non-empty buckets, then
    /// one (index delta, count) pair per non-empty bucket in increasing index
    /// order, the first delta being the index itself. Empty buckets cost
    /// nothing, and deltas and counts are mostly below 128, so a bucket
    /// usually costs two bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(FORMAT_VERSION);
        put_varint(out, self.zero_count);
        let buckets = self.non_empty_buckets();
        put_varint(out, buckets.clone().count() as u64);
        let mut previous = 0;
        for (index, count) in buckets {
            put_varint(out, (index - previous) as u64);
            put_varint(out, count);
            previous = index;
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Reads what `encode` wrote, rejecting anything it could not have
    /// written, so a corrupt row surfaces as an error instead of a wrong chart.
    pub fn decode(bytes: &[u8]) -> Result<DurationSketch, SketchError> {
        let mut reader = Reader { bytes, position: 0 };
        let version = reader.byte()?;
        if version != FORMAT_VERSION {
            return Err(SketchError::BadVersion(version));
        }
        let zero_count = reader.varint()?;
        let bucket_count = reader.varint()?;
        if bucket_count > (MAX_INDEX + 1) as u64 {
            return Err(SketchError::TooManyBuckets(bucket_count));
        }
        let mut sketch = DurationSketch {
            zero_count,
            total: zero_count,
            ..Self::default()
        };
        let mut previous = None;
        for _ in 0..bucket_count {
            let index = next_index(previous, reader.varint()?)?;
            let count = reader.varint()?;
            if count == 0 {
                return Err(SketchError::EmptyBucket);
            }
            sketch.total = sketch
                .total
                .checked_add(count)
                .ok_or(SketchError::CountOverflow)?;
            sketch.add_to_bucket(index, count);
            previous = Some(index);
        }
        match bytes.len() - reader.position {
            0 => Ok(sketch),
            extra => Err(SketchError::TrailingBytes(extra)),
        }
    }

    fn add_to_bucket(&mut self, index: usize, count: u64) {
        self.cover(index, index);
        let slot = &mut self.counts[index - self.offset];
        *slot = slot.saturating_add(count);
    }

    /// Grows the dense vector so it spans bucket indexes `low..=high`.
    fn cover(&mut self, low: usize, high: usize) {
        if self.counts.is_empty() {
            self.offset = low;
            self.counts.resize(high - low + 1, 0);
            return;
        }
        if low < self.offset {
            let missing = self.offset - low;
            self.counts.splice(0..0, std::iter::repeat_n(0, missing));
            self.offset = low;
        }
        let needed = high - self.offset + 1;
        if needed > self.counts.len() {
            self.counts.resize(needed, 0);
        }
    }

    fn last_index(&self) -> Option<usize> {
        self.counts
            .len()
            .checked_sub(1)
            .map(|last| self.offset + last)
    }

    fn non_empty_buckets(&self) -> impl Iterator<Item = (usize, u64)> + Clone + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(position, count)| (self.offset + position, *count))
    }
}

/// Bucket of a positive duration: `ceil(ln(v) / ln(gamma))`, clamped to the
/// supported range.
fn bucket_index(duration_ns: i64) -> usize {
    let value = duration_ns.clamp(1, MAX_TRACKED_NS) as f64;
    let index = (value.ln() / GAMMA.ln()).ceil();
    // `as` saturates, and `value >= 1` keeps `index >= 0`.
    (index as usize).min(MAX_INDEX)
}

/// Value reported for a bucket: the point within `RELATIVE_ACCURACY` of both
/// of its boundaries, rounded to whole nanoseconds.
fn representative(index: usize) -> i64 {
    let exponent = index.min(MAX_INDEX) as f64;
    let value = 2.0 * (exponent * GAMMA.ln()).exp() / (GAMMA + 1.0);
    value.round() as i64
}

/// Applies a decoded delta, enforcing strictly increasing, in-range indexes.
fn next_index(previous: Option<usize>, delta: u64) -> Result<usize, SketchError> {
    let index = match previous {
        None => delta,
        Some(_) if delta == 0 => return Err(SketchError::UnorderedBuckets),
        Some(previous) => (previous as u64).saturating_add(delta),
    };
    if index > MAX_INDEX as u64 {
        return Err(SketchError::IndexOutOfRange(index));
    }
    Ok(index as usize)
}

/// Appends `value` as unsigned LEB128.
fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Cursor over an encoding; every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, SketchError> {
        let byte = *self
            .bytes
            .get(self.position)
            .ok_or(SketchError::Truncated)?;
        self.position += 1;
        Ok(byte)
    }

    fn varint(&mut self) -> Result<u64, SketchError> {
        let mut value = 0u64;
        for shift in (0..MAX_VARINT_LEN).map(|i| 7 * i as u32) {
            let byte = self.byte()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(SketchError::VarintOverflow);
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(SketchError::VarintOverflow)
    }
}

#[cfg(test)]
#[path = "sketch_tests.rs"]
mod tests;
