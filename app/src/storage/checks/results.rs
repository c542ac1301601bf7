//! Check results: written in batches with the damped state, the state
//! changes and the hourly rollups in one transaction; read back as history,
//! latency percentiles and uptime.

use std::collections::{BTreeMap, HashMap};

use crate::model::check::{CheckEvent, CheckState, ProbeResult, StoredResult, Uptime};
use crate::model::damping::Damped;
use crate::storage::partitions::{self, Partitioned};
use crate::storage::{Database, StorageError};

const NANOS_PER_HOUR: i64 = 3_600_000_000_000;

/// One probe's result for a check, to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    pub check_id: i64,
    pub at_ns: i64,
    pub result: ProbeResult,
}

#[derive(Default)]
struct HourCounts {
    uptime: Uptime,
    latency_sum_ms: f64,
}

/// Per check: the damped standing, and the state change if any, after
/// each outcome; outcomes of unknown (deleted) checks are dropped.
struct Judged<'a> {
    outcome: &'a CheckOutcome,
    damped: Damped,
    left: Option<CheckState>,
}

impl Database {
    /// Stores results, moves each check's damped state, records state
    /// changes and adds to the hourly rollups, all or nothing.
    pub async fn write_check_results(&self, outcomes: &[CheckOutcome]) -> Result<(), StorageError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        partitions::ensure_for(
            self.pool(),
            Partitioned::CheckResults,
            &self.catalogue().partitions,
            outcomes.iter().map(|o| o.at_ns),
        )
        .await?;
        let mut ids: Vec<i64> = outcomes.iter().map(|o| o.check_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut transaction = self.pool().begin().await?;
        // Locked in id order, so concurrent writers cannot deadlock.
        let current: Vec<(i64, String, String, i32, i32, i32)> = sqlx::query_as(
            "select id, state, streak_state, streak, \
               coalesce((spec->>'failure_threshold')::int, 3), \
               coalesce((spec->>'success_threshold')::int, 1) \
             from checks where id = any($1) order by id for update",
        )
        .bind(&ids)
        .fetch_all(&mut *transaction)
        .await?;
        let mut standing: HashMap<i64, (Damped, u32, u32)> = current
            .into_iter()
            .map(|(id, state, streak_state, streak, failures, successes)| {
                let damped = Damped {
                    state: CheckState::parse(&state),
                    streak_state: CheckState::parse(&streak_state),
                    streak: streak.max(0) as u32,
                };
                (
                    id,
                    (damped, failures.max(1) as u32, successes.max(1) as u32),
                )
            })
            .collect();
        let mut ordered: Vec<&CheckOutcome> = outcomes.iter().collect();
        ordered.sort_by_key(|o| o.at_ns);
        let mut judged = Vec::with_capacity(ordered.len());
        for outcome in ordered {
            let Some((damped, failures, successes)) = standing.get_mut(&outcome.check_id) else {
                continue;
            };
            let (next, left) = damped.observe(outcome.result.state, *failures, *successes);
            *damped = next;
            judged.push(Judged {
                outcome,
                damped: next,
                left,
            });
        }
        insert_results(&mut transaction, &judged).await?;
        update_checks(&mut transaction, &judged).await?;
        insert_events(&mut transaction, &judged).await?;
        add_to_rollups(&mut transaction, &judged).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// A check's results from `since_ms` on, newest first.
    pub async fn check_results(
        &self,
        check_id: i64,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<StoredResult>, StorageError> {
        let rows: Vec<ResultRow> = sqlx::query_as(
            "select at_ns / 1000000 as at_ms, state, latency_ms, http_status, reason from check_results \
             where check_id = $1 and at_ns >= $2 order by at_ns desc limit $3",
        )
        .bind(check_id)
        .bind(since_ms.saturating_mul(1_000_000))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(ResultRow::into_stored).collect())
    }

    /// A check's state changes, newest first.
    pub async fn check_events(
        &self,
        check_id: i64,
        limit: i64,
    ) -> Result<Vec<CheckEvent>, StorageError> {
        let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
            "select (extract(epoch from at) * 1000)::int8, from_state, to_state, reason \
             from check_events where check_id = $1 order by at desc, id desc limit $2",
        )
        .bind(check_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(at_ms, from, to, reason)| CheckEvent {
                at_ms,
                from: CheckState::parse(&from),
                to: CheckState::parse(&to),
                reason,
            })
            .collect())
    }

    /// Results of every check started in `[from_ns, to_ns)` (an exact
    /// count; for the benchmark).
    pub async fn check_result_count(&self, from_ns: i64, to_ns: i64) -> Result<i64, StorageError> {
        let (count,): (i64,) =
            sqlx::query_as("select count(*) from check_results where at_ns >= $1 and at_ns < $2")
                .bind(from_ns)
                .bind(to_ns)
                .fetch_one(self.pool())
                .await?;
        Ok(count)
    }

    /// p50, p95 and p99 latency of a check's results since `since_ms`.
    pub async fn check_latency_percentiles(
        &self,
        check_id: i64,
        since_ms: i64,
    ) -> Result<Option<[f64; 3]>, StorageError> {
        let row: (Option<f64>, Option<f64>, Option<f64>) = sqlx::query_as(
            "select percentile_cont(0.5) within group (order by latency_ms), \
                    percentile_cont(0.95) within group (order by latency_ms), \
                    percentile_cont(0.99) within group (order by latency_ms) \
             from check_results where check_id = $1 and at_ns >= $2",
        )
        .bind(check_id)
        .bind(since_ms.saturating_mul(1_000_000))
        .fetch_one(self.pool())
        .await?;
        Ok(match row {
            (Some(p50), Some(p95), Some(p99)) => Some([p50, p95, p99]),
            _ => None,
        })
    }

    /// Drops check rollups of hours before `before_ns` (their retention).
    pub async fn drop_check_rollups_before(&self, before_ns: i64) -> Result<u64, StorageError> {
        let done = sqlx::query("delete from check_rollups where hour_ns < $1")
            .bind(before_ns)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

/// One result as every read selects it: `at_ns / 1000000 as at_ms, state,
/// latency_ms, http_status, reason`.
#[derive(sqlx::FromRow)]
pub(super) struct ResultRow {
    at_ms: i64,
    state: String,
    latency_ms: f32,
    http_status: Option<i16>,
    reason: Option<String>,
}

impl ResultRow {
    pub(super) fn into_stored(self) -> StoredResult {
        StoredResult {
            at_ms: self.at_ms,
            state: CheckState::parse(&self.state),
            latency_ms: f64::from(self.latency_ms),
            http_status: self.http_status.map(|s| s as u16),
            reason: self.reason,
        }
    }
}

type Transaction<'t> = sqlx::Transaction<'t, sqlx::Postgres>;

fn dependencies_json(result: &ProbeResult) -> Option<String> {
    (!result.dependencies.is_empty())
        .then(|| serde_json::to_string(&result.dependencies).expect("dependencies serialise"))
}

async fn insert_results(
    tx: &mut Transaction<'_>,
    judged: &[Judged<'_>],
) -> Result<(), StorageError> {
    let results = judged.iter().map(|j| &j.outcome.result);
    sqlx::query(
        "insert into check_results (at_ns, check_id, state, latency_ms, http_status, reason, dependencies) \
         select a, c, s, l, h, r, d::jsonb from unnest($1::int8[], $2::int8[], $3::text[], \
           $4::float4[], $5::int2[], $6::text[], $7::text[]) as u(a, c, s, l, h, r, d)",
    )
    .bind(judged.iter().map(|j| j.outcome.at_ns).collect::<Vec<_>>())
    .bind(judged.iter().map(|j| j.outcome.check_id).collect::<Vec<_>>())
    .bind(results.clone().map(|r| r.state.as_str()).collect::<Vec<_>>())
    .bind(results.clone().map(|r| r.latency_ms as f32).collect::<Vec<_>>())
    .bind(results.clone().map(|r| r.http_status.map(|s| s as i16)).collect::<Vec<_>>())
    .bind(results.clone().map(|r| r.reason.clone()).collect::<Vec<_>>())
    .bind(results.map(dependencies_json).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Each check's row takes its latest standing and result.
async fn update_checks(
    tx: &mut Transaction<'_>,
    judged: &[Judged<'_>],
) -> Result<(), StorageError> {
    // The last outcome per check wins; whether the state changed at all in
    // the batch decides `state_since`.
    let mut latest: BTreeMap<i64, (&Judged<'_>, Option<i64>)> = BTreeMap::new();
    for j in judged {
        let entry = latest.entry(j.outcome.check_id).or_insert((j, None));
        entry.0 = j;
        if j.left.is_some() {
            entry.1 = Some(j.outcome.at_ns / 1_000_000);
        }
    }
    let rows: Vec<_> = latest.into_iter().collect();
    sqlx::query(
        "update checks c set state = u.state, \
           state_since = coalesce(to_timestamp(u.changed_ms / 1000.0), c.state_since), \
           streak_state = u.streak_state, streak = u.streak, \
           last_result = u.result::jsonb, last_result_at = to_timestamp(u.at_ms / 1000.0) \
         from unnest($1::int8[], $2::text[], $3::int8[], $4::text[], $5::int4[], $6::text[], $7::int8[]) \
           as u(id, state, changed_ms, streak_state, streak, result, at_ms) \
         where c.id = u.id",
    )
    .bind(rows.iter().map(|(id, _)| *id).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, (j, _))| j.damped.state.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, (_, changed))| *changed).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, (j, _))| j.damped.streak_state.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, (j, _))| j.damped.streak as i32).collect::<Vec<_>>())
    .bind(
        rows.iter()
            .map(|(_, (j, _))| serde_json::to_string(&j.outcome.result).expect("results serialise"))
            .collect::<Vec<_>>(),
    )
    .bind(rows.iter().map(|(_, (j, _))| j.outcome.at_ns / 1_000_000).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_events(
    tx: &mut Transaction<'_>,
    judged: &[Judged<'_>],
) -> Result<(), StorageError> {
    let changes: Vec<&Judged<'_>> = judged.iter().filter(|j| j.left.is_some()).collect();
    if changes.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "insert into check_events (check_id, at, from_state, to_state, reason) \
         select c, to_timestamp(a / 1000.0), f, t, r \
         from unnest($1::int8[], $2::int8[], $3::text[], $4::text[], $5::text[]) as u(c, a, f, t, r)",
    )
    .bind(changes.iter().map(|j| j.outcome.check_id).collect::<Vec<_>>())
    .bind(changes.iter().map(|j| j.outcome.at_ns / 1_000_000).collect::<Vec<_>>())
    .bind(
        changes
            .iter()
            .map(|j| j.left.unwrap_or(CheckState::Pending).as_str())
            .collect::<Vec<_>>(),
    )
    .bind(changes.iter().map(|j| j.damped.state.as_str()).collect::<Vec<_>>())
    .bind(changes.iter().map(|j| j.outcome.result.reason.clone()).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Counts add up, so an upsert per (check, hour) is exact from any replica.
async fn add_to_rollups(
    tx: &mut Transaction<'_>,
    judged: &[Judged<'_>],
) -> Result<(), StorageError> {
    let mut hours: BTreeMap<(i64, i64), HourCounts> = BTreeMap::new();
    for j in judged {
        let hour = j.outcome.at_ns - j.outcome.at_ns.rem_euclid(NANOS_PER_HOUR);
        let counts = hours.entry((j.outcome.check_id, hour)).or_default();
        counts.uptime.count(j.outcome.result.state);
        counts.latency_sum_ms += j.outcome.result.latency_ms;
    }
    let column = |f: fn(&Uptime) -> u64| -> Vec<i32> {
        hours.values().map(|c| f(&c.uptime) as i32).collect()
    };
    sqlx::query(
        "insert into check_rollups (check_id, hour_ns, total, healthy, degraded, unhealthy, \
           unreachable, latency_sum_ms) \
         select * from unnest($1::int8[], $2::int8[], $3::int4[], $4::int4[], $5::int4[], \
           $6::int4[], $7::int4[], $8::float8[]) \
         on conflict (check_id, hour_ns) do update set \
           total = check_rollups.total + excluded.total, \
           healthy = check_rollups.healthy + excluded.healthy, \
           degraded = check_rollups.degraded + excluded.degraded, \
           unhealthy = check_rollups.unhealthy + excluded.unhealthy, \
           unreachable = check_rollups.unreachable + excluded.unreachable, \
           latency_sum_ms = check_rollups.latency_sum_ms + excluded.latency_sum_ms",
    )
    .bind(hours.keys().map(|(id, _)| *id).collect::<Vec<_>>())
    .bind(hours.keys().map(|(_, hour)| *hour).collect::<Vec<_>>())
    .bind(column(|u| u.total))
    .bind(column(|u| u.healthy))
    .bind(column(|u| u.degraded))
    .bind(column(|u| u.unhealthy))
    .bind(column(|u| u.unreachable))
    .bind(hours.values().map(|c| c.latency_sum_ms).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
