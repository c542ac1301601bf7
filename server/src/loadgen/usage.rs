//! CPU time and peak memory of this process, read from `/proc` (Linux), for
//! the benchmarks' figures. No `unsafe` and no libc: the kernel's text files
//! say enough at a benchmark's resolution (10 ms ticks).

use std::time::Duration;

/// `/proc` reports CPU time in clock ticks of `USER_HZ`, which is 100 on
/// every architecture Linux runs on today (it is part of the ABI, kept apart
/// from the kernel's internal tick rate).
const TICKS_PER_SECOND: u64 = 100;

/// User plus system CPU time of the whole process (every thread) so far.
pub fn process_cpu() -> Result<Duration, String> {
    cpu_of("/proc/self/stat")
}

/// User plus system CPU time of the calling thread so far.
pub fn thread_cpu() -> Result<Duration, String> {
    cpu_of("/proc/thread-self/stat")
}

/// The process's peak resident set size in bytes (`VmHWM`).
pub fn peak_rss_bytes() -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kb| kb.trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| "no VmHWM in /proc/self/status".to_owned())
}

fn cpu_of(path: &str) -> Result<Duration, String> {
    let stat = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    parse_stat_cpu(&stat).ok_or_else(|| format!("{path}: unexpected format"))
}

/// utime + stime: fields 14 and 15 of `stat`. The command name (field 2) may
/// hold spaces and parentheses, so fields are counted after its last `)`.
fn parse_stat_cpu(stat: &str) -> Option<Duration> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    let ticks = utime + stime;
    Some(Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_fields_are_counted_after_the_command_name() {
        let stat = "4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 500 0 0 0 \
                    250 130 0 0 20 0 3 0 100 1000 200 18446744073709551615";
        assert_eq!(parse_stat_cpu(stat), Some(Duration::from_millis(3800)));
    }

    #[test]
    fn this_process_has_used_some_cpu_and_memory() {
        assert!(process_cpu().is_ok());
        assert!(thread_cpu().is_ok());
        assert!(peak_rss_bytes().expect("VmHWM") > 0);
    }
}
