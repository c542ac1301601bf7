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

type SlotRow = (i64, i64, i64, i64, i64, i64, i64);

impl Database {
    /// Each check's results in `slots` equal slots from `start_ns` to
    /// `end_ns`. Slots of an hour or more read the hourly rollups (aligned
    /// to whole hours); shorter ones count the raw results.
    pub async fn check_uptime_bars(
        &self,
        check_ids: &[i64],
        start_ns: i64,
        end_ns: i64,
        slots: usize,
    ) -> Result<HashMap<i64, Vec<Uptime>>, StorageError> {
        let slots = slots.max(1);
        let slot_ns = ((end_ns - start_ns) / slots as i64).max(1);
        if slot_ns >= NANOS_PER_HOUR {
            let aligned_end = end_ns - end_ns.rem_euclid(NANOS_PER_HOUR) + NANOS_PER_HOUR;
            let slot_ns = slot_ns - slot_ns.rem_euclid(NANOS_PER_HOUR);
            let start_ns = aligned_end - slot_ns * slots as i64;
            return self
                .check_uptime_slots(check_ids, start_ns, slot_ns, slots)
                .await;
        }
        let rows: Vec<SlotRow> = sqlx::query_as(
            "select check_id, (at_ns - $2) / $3 as slot, count(*), \
               count(*) filter (where state = 'healthy'), \
               count(*) filter (where state = 'degraded'), \
               count(*) filter (where state = 'unhealthy'), \
               count(*) filter (where state not in ('healthy', 'degraded', 'unhealthy')) \
             from check_results where check_id = any($1) and at_ns >= $2 and at_ns < $4 \
             group by 1, 2",
        )
        .bind(check_ids)
        .bind(start_ns)
        .bind(slot_ns)
        .bind(start_ns + slot_ns * slots as i64)
        .fetch_all(self.pool())
        .await?;
        let mut bars: HashMap<i64, Vec<Uptime>> = check_ids
            .iter()
            .map(|id| (*id, vec![Uptime::default(); slots]))
            .collect();
        for (check_id, slot, total, healthy, degraded, unhealthy, unreachable) in rows {
            let bar = bars.get_mut(&check_id);
            if let Some(uptime) = bar.and_then(|bar| bar.get_mut(slot as usize)) {
                let count = |n: i64| n.max(0) as u64;
                uptime.add(&Uptime {
                    total: count(total),
                    healthy: count(healthy),
                    degraded: count(degraded),
                    unhealthy: count(unhealthy),
                    unreachable: count(unreachable),
                });
            }
        }
        Ok(bars)
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
        let since = |hours: i64| current_hour - (hours - 1) * NANOS_PER_HOUR;
        let rows: Vec<(i64, i64, i32, i32, i32, i32, i32)> = sqlx::query_as(
            "select check_id, hour_ns, total, healthy, degraded, unhealthy, unreachable \
             from check_rollups where check_id = any($1) and hour_ns >= $2",
        )
        .bind(check_ids)
        .bind(since(UPTIME_PERIODS_HOURS[2]))
        .fetch_all(self.pool())
        .await?;
        let mut periods: HashMap<i64, [Uptime; 3]> = check_ids
            .iter()
            .map(|id| (*id, [Uptime::default(); 3]))
            .collect();
        for (check_id, hour_ns, total, healthy, degraded, unhealthy, unreachable) in rows {
            let count = |n: i32| n.max(0) as u64;
            let hour = Uptime {
                total: count(total),
                healthy: count(healthy),
                degraded: count(degraded),
                unhealthy: count(unhealthy),
                unreachable: count(unreachable),
            };
            let Some(check) = periods.get_mut(&check_id) else {
                continue;
            };
            for (period, hours) in check.iter_mut().zip(UPTIME_PERIODS_HOURS) {
                if hour_ns >= since(hours) {
                    period.add(&hour);
                }
            }
        }
        Ok(periods)
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
