//! What the Health pages and the status page read about checks over time:
//! uptime bars, uptime over 24 h / 7 d / 30 d, a latency series and the
//! last failure. Long slots come from the hourly rollups, short ones from
//! the raw results, so every read stays cheap.

use std::collections::HashMap;

use super::results::ResultRow;
use crate::model::check::{StoredResult, Uptime};
use crate::storage::{Database, StorageError};

const NANOS_PER_HOUR: i64 = 3_600_000_000_000;

/// Uptime over the three periods a status page shows.
pub const UPTIME_PERIODS_HOURS: [i64; 3] = [24, 7 * 24, 30 * 24];

/// One bucket of a check's latency chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyBucket {
    pub slot: usize,
    pub mean_ms: f64,
    pub max_ms: f64,
}

/// Where an uptime bar of `slots` over `start_ns..end_ns` really starts,
/// and its slot length. The slots end at `end_ns`, so the newest results
/// are in the last; slots of an hour or more are whole hours ending at the
/// end of the current hour, as the hourly rollups count them.
pub fn bar_slots(start_ns: i64, end_ns: i64, slots: usize) -> (i64, i64) {
    let slots = slots.max(1) as i64;
    let slot_ns = ((end_ns - start_ns) / slots).max(1);
    if slot_ns < NANOS_PER_HOUR {
        return (end_ns - slot_ns * slots, slot_ns);
    }
    let slot_ns = slot_ns - slot_ns.rem_euclid(NANOS_PER_HOUR);
    let aligned_end =
        end_ns + (NANOS_PER_HOUR - end_ns.rem_euclid(NANOS_PER_HOUR)) % NANOS_PER_HOUR;
    (aligned_end - slot_ns * slots, slot_ns)
}

/// Sums of the rollups' counts, as `CountsRow` reads them.
macro_rules! rollup_sums {
    () => {
        "sum(total)::int8 as total, sum(healthy)::int8 as healthy, \
         sum(degraded)::int8 as degraded, sum(unhealthy)::int8 as unhealthy, \
         sum(unreachable)::int8 as unreachable"
    };
}

/// Results of one check counted by state, for one slot or period (`key`).
#[derive(sqlx::FromRow)]
struct CountsRow {
    check_id: i64,
    key: i64,
    total: i64,
    healthy: i64,
    degraded: i64,
    unhealthy: i64,
    unreachable: i64,
}

/// Each check's `slots` counts, zero where no row says otherwise.
fn spread(check_ids: &[i64], slots: usize, rows: Vec<CountsRow>) -> HashMap<i64, Vec<Uptime>> {
    let mut by_check: HashMap<i64, Vec<Uptime>> = check_ids
        .iter()
        .map(|id| (*id, vec![Uptime::default(); slots]))
        .collect();
    for row in rows {
        let Ok(slot) = usize::try_from(row.key) else {
            continue;
        };
        let bar = by_check.get_mut(&row.check_id);
        if let Some(uptime) = bar.and_then(|bar| bar.get_mut(slot)) {
            let count = |n: i64| n.max(0) as u64;
            uptime.add(&Uptime {
                total: count(row.total),
                healthy: count(row.healthy),
                degraded: count(row.degraded),
                unhealthy: count(row.unhealthy),
                unreachable: count(row.unreachable),
            });
        }
    }
    by_check
}

impl Database {
    /// Each check's results in `slots` equal slots ending at `end_ns` and
    /// reaching back to about `start_ns`. Slots of an hour or more read the
    /// hourly rollups (aligned to whole hours, the current one included);
    /// shorter ones count the raw results.
    pub async fn check_uptime_bars(
        &self,
        check_ids: &[i64],
        start_ns: i64,
        end_ns: i64,
        slots: usize,
    ) -> Result<HashMap<i64, Vec<Uptime>>, StorageError> {
        let slots = slots.max(1);
        let (start_ns, slot_ns) = bar_slots(start_ns, end_ns, slots);
        if slot_ns >= NANOS_PER_HOUR {
            return self
                .check_uptime_slots(check_ids, start_ns, slot_ns, slots)
                .await;
        }
        let rows: Vec<CountsRow> = sqlx::query_as(concat!(
            "select check_id, (at_ns - $2) / $3 as key, count(*) as total, ",
            "count(*) filter (where state = 'healthy') as healthy, ",
            "count(*) filter (where state = 'degraded') as degraded, ",
            "count(*) filter (where state = 'unhealthy') as unhealthy, ",
            "count(*) filter (where state not in ('healthy', 'degraded', 'unhealthy')) as unreachable ",
            "from check_results where check_id = any($1) and at_ns >= $2 and at_ns < $4 ",
            "group by 1, 2"
        ))
        .bind(check_ids)
        .bind(start_ns)
        .bind(slot_ns)
        .bind(start_ns + slot_ns * slots as i64)
        .fetch_all(self.pool())
        .await?;
        Ok(spread(check_ids, slots, rows))
    }

    /// Each check's results per slot of `slot_ns` (whole hours) from
    /// `start_ns`, `slots` slots, from the hourly rollups, summed in the
    /// database so a month of a thousand checks is 90 rows a check.
    pub async fn check_uptime_slots(
        &self,
        check_ids: &[i64],
        start_ns: i64,
        slot_ns: i64,
        slots: usize,
    ) -> Result<HashMap<i64, Vec<Uptime>>, StorageError> {
        let slot_ns = slot_ns.max(NANOS_PER_HOUR);
        let end_ns = start_ns.saturating_add(slot_ns.saturating_mul(slots as i64));
        let rows: Vec<CountsRow> = sqlx::query_as(concat!(
            "select check_id, greatest(hour_ns - $2, 0) / $3 as key, ",
            rollup_sums!(),
            " from check_rollups where check_id = any($1) and hour_ns >= $4 and hour_ns < $5 ",
            "group by 1, 2"
        ))
        .bind(check_ids)
        .bind(start_ns)
        .bind(slot_ns)
        .bind(start_ns - start_ns.rem_euclid(NANOS_PER_HOUR))
        .bind(end_ns)
        .fetch_all(self.pool())
        .await?;
        Ok(spread(check_ids, slots, rows))
    }

    /// Each check's results over the last 24 hours, 7 days and 30 days
    /// before `now_ns`, from the hourly rollups.
    pub async fn check_uptime_periods(
        &self,
        check_ids: &[i64],
        now_ns: i64,
    ) -> Result<HashMap<i64, [Uptime; 3]>, StorageError> {
        let current_hour = now_ns - now_ns.rem_euclid(NANOS_PER_HOUR);
        // The current hour counts, so each period is its hours back from it.
        let since = UPTIME_PERIODS_HOURS.map(|hours| current_hour - (hours - 1) * NANOS_PER_HOUR);
        let rows: Vec<CountsRow> = sqlx::query_as(concat!(
            "select check_id, period.index - 1 as key, ",
            rollup_sums!(),
            " from check_rollups join unnest($2::int8[]) with ordinality as period(since, index) ",
            "on hour_ns >= period.since ",
            "where check_id = any($1) and hour_ns >= $3 group by 1, 2"
        ))
        .bind(check_ids)
        .bind(since.to_vec())
        .bind(since[2])
        .fetch_all(self.pool())
        .await?;
        Ok(spread(check_ids, 3, rows)
            .into_iter()
            .map(|(id, periods)| (id, [periods[0], periods[1], periods[2]]))
            .collect())
    }

    /// A check's mean and worst latency in `buckets` equal buckets from
    /// `start_ns` to `end_ns`; buckets without results are left out.
    pub async fn check_latency_series(
        &self,
        check_id: i64,
        start_ns: i64,
        end_ns: i64,
        buckets: usize,
    ) -> Result<Vec<LatencyBucket>, StorageError> {
        let bucket_ns = ((end_ns - start_ns) / buckets.max(1) as i64).max(1);
        let rows: Vec<(i64, f64, f64)> = sqlx::query_as(
            "select (at_ns - $2) / $3, avg(latency_ms)::float8, max(latency_ms)::float8 \
             from check_results where check_id = $1 and at_ns >= $2 and at_ns < $4 \
             group by 1 order by 1",
        )
        .bind(check_id)
        .bind(start_ns)
        .bind(bucket_ns)
        .bind(end_ns)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter(|(slot, _, _)| (0..buckets as i64).contains(slot))
            .map(|(slot, mean_ms, max_ms)| LatencyBucket {
                slot: slot as usize,
                mean_ms,
                max_ms,
            })
            .collect())
    }

    /// The newest result that was not healthy, with its reason in full.
    pub async fn last_check_failure(
        &self,
        check_id: i64,
    ) -> Result<Option<StoredResult>, StorageError> {
        let row: Option<ResultRow> = sqlx::query_as(
            "select at_ns / 1000000 as at_ms, state, latency_ms, http_status, reason \
             from check_results where check_id = $1 and state <> 'healthy' \
             order by at_ns desc limit 1",
        )
        .bind(check_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(ResultRow::into_stored))
    }
}
