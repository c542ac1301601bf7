//! Root-cause grouping over the service map: when a service is firing or
//! down, the alerts of the services that call it (directly or further up)
//! are its impact, not separate incidents. The Alerts page shows one
//! incident, "impacted by payments", instead of ten.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

use super::alert::Alert;

/// For each troubled service that has troubled services downstream, the
/// deepest of those: where the trouble starts. Calls may pass through
/// healthy services on the way. Services in one cycle do not blame each
/// other.
pub fn root_causes(
    troubled: &BTreeSet<String>,
    calls: &[(String, String)],
) -> BTreeMap<String, Vec<String>> {
    let mut callees: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (caller, callee) in calls {
        if caller != callee {
            callees.entry(caller).or_default().push(callee);
        }
    }
    // The troubled services each troubled service reaches.
    let reach: BTreeMap<&str, BTreeSet<&str>> = troubled
        .iter()
        .map(|start| {
            let mut seen = BTreeSet::from([start.as_str()]);
            let mut queue = VecDeque::from([start.as_str()]);
            while let Some(node) = queue.pop_front() {
                for next in callees.get(node).into_iter().flatten() {
                    if seen.insert(next) {
                        queue.push_back(next);
                    }
                }
            }
            seen.remove(start.as_str());
            seen.retain(|s| troubled.contains(*s));
            (start.as_str(), seen)
        })
        .collect();
    let reaches = |from: &str, to: &str| reach.get(from).is_some_and(|r| r.contains(to));
    // A root reaches no troubled service that does not reach it back.
    let is_root = |service: &str| reach[service].iter().all(|down| reaches(down, service));
    let mut causes = BTreeMap::new();
    for (service, downstream) in &reach {
        let roots: Vec<String> = downstream
            .iter()
            .filter(|down| is_root(down) && !reaches(down, service))
            .map(|s| (*s).to_owned())
            .collect();
        if !roots.is_empty() {
            causes.insert((*service).to_owned(), roots);
        }
    }
    causes
}

/// Alerts grouped by where their trouble starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// The service the trouble starts at.
    pub root: String,
    /// The root's own alerts (none when it is only down by its check and
    /// that has not fired yet).
    pub alerts: Vec<Alert>,
    /// Alerts of services that call it.
    pub impacted: Vec<Alert>,
}

/// Groups alerts under their root cause (`impacted_by`, first root when
/// there are several), keeping the order the alerts came in: an incident
/// is placed where its first alert was.
pub fn group_incidents(alerts: Vec<Alert>) -> Vec<Incident> {
    let mut incidents: Vec<Incident> = Vec::new();
    for alert in alerts {
        let (root, impacted) = match alert.impacted_by.first() {
            Some(root) => (root.clone(), true),
            None => (alert.service.clone(), false),
        };
        let index = match incidents.iter().position(|i| i.root == root) {
            Some(index) => index,
            None => {
                incidents.push(Incident {
                    root,
                    alerts: Vec::new(),
                    impacted: Vec::new(),
                });
                incidents.len() - 1
            }
        };
        let incident = &mut incidents[index];
        if impacted {
            incident.impacted.push(alert);
        } else {
            incident.alerts.push(alert);
        }
    }
    incidents
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(services: &[&str]) -> BTreeSet<String> {
        services.iter().map(|s| (*s).to_owned()).collect()
    }

    fn calls(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    /// gateway → orders → payments, gateway → users → database,
    /// orders → database.
    fn fleet() -> Vec<(String, String)> {
        calls(&[
            ("gateway", "orders"),
            ("gateway", "users"),
            ("orders", "payments"),
            ("orders", "database"),
            ("users", "database"),
        ])
    }

    #[test]
    fn callers_of_a_failing_service_are_its_impact() {
        let causes = root_causes(&set(&["gateway", "orders", "payments"]), &fleet());
        assert_eq!(causes["gateway"], ["payments"]);
        assert_eq!(causes["orders"], ["payments"]);
        assert!(!causes.contains_key("payments"));
    }

    #[test]
    fn trouble_is_traced_through_healthy_services() {
        let causes = root_causes(&set(&["gateway", "database"]), &fleet());
        assert_eq!(causes["gateway"], ["database"]);
    }

    #[test]
    fn two_failing_leaves_are_both_named() {
        let causes = root_causes(&set(&["gateway", "payments", "database"]), &fleet());
        assert_eq!(causes["gateway"], ["database", "payments"]);
    }

    #[test]
    fn a_lone_alert_and_a_cycle_blame_nobody() {
        assert!(root_causes(&set(&["users"]), &fleet()).is_empty());
        let cycle = calls(&[("a", "b"), ("b", "a"), ("c", "a")]);
        let causes = root_causes(&set(&["a", "b", "c"]), &cycle);
        assert!(!causes.contains_key("a") && !causes.contains_key("b"));
        assert_eq!(causes["c"], ["a", "b"]);
    }

    #[test]
    fn incidents_gather_impacted_alerts_under_their_root() {
        let alert = |id: i64, service: &str, impacted_by: &[&str]| Alert {
            impacted_by: impacted_by.iter().map(|s| (*s).to_owned()).collect(),
            ..crate::model::alert::tests::alert(id, service)
        };
        let incidents = group_incidents(vec![
            alert(1, "gateway", &["payments"]),
            alert(2, "payments", &[]),
            alert(3, "orders", &["payments"]),
            alert(4, "users", &[]),
        ]);
        let shape: Vec<(&str, Vec<i64>, Vec<i64>)> = incidents
            .iter()
            .map(|i| {
                (
                    i.root.as_str(),
                    i.alerts.iter().map(|a| a.id).collect(),
                    i.impacted.iter().map(|a| a.id).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("payments", vec![2], vec![1, 3]),
                ("users", vec![4], vec![])
            ]
        );
    }
}
