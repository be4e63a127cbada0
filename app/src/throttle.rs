//! Throttling of failed logins per source address.
//!
//! Lockout counts failures per account; this counts them per address, so one
//! address can neither spray passwords across many accounts nor lock them one
//! after another unnoticed. When an address exceeds its failures per minute, its
//! further attempts are refused with `429` until the minute is over, and the
//! first refusal is reported (the caller audits it as a suspected attack).
//! IPv6 addresses are counted per /64 network, which one client usually holds
//! whole. The counters live in this process (each app instance counts on its
//! own) and are bounded in size.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The counting period.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Addresses tracked at most; beyond it, stale entries are dropped first and
/// then the oldest.
pub const MAX_TRACKED: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    window_start: Instant,
    failures: u32,
    blocked_until: Option<Instant>,
}

/// The verdict for an address before an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead.
    Allowed,
    /// Refuse; the address may try again after this long.
    Blocked {
        /// Time until the block ends.
        retry_after: Duration,
    },
}

/// Failed-login counters per address.
#[derive(Debug)]
pub struct Throttle {
    limit: u32,
    entries: Mutex<HashMap<IpAddr, Entry>>,
}

/// The key an address is counted under: itself for IPv4, its /64 for IPv6.
fn key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        v4 @ IpAddr::V4(_) => v4,
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

impl Throttle {
    /// Allows `limit` failures per address and minute (at least 1).
    #[must_use]
    pub fn new(limit: u32) -> Self {
        Self {
            limit: limit.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Entry>> {
        // A poisoned lock only means another request panicked while counting;
        // the counters are still usable.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `ip` may attempt a login at `now`.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Verdict {
        let map = self.lock();
        match map.get(&key(ip)).and_then(|e| e.blocked_until) {
            Some(until) if until > now => Verdict::Blocked {
                retry_after: until - now,
            },
            _ => Verdict::Allowed,
        }
    }

    /// Counts a failed attempt of `ip` at `now`. Returns `true` when this failure
    /// started a block (report it once).
    pub fn record_failure(&self, ip: IpAddr, now: Instant) -> bool {
        let mut map = self.lock();
        if map.len() >= MAX_TRACKED && !map.contains_key(&key(ip)) {
            prune(&mut map, now);
        }
        let entry = map.entry(key(ip)).or_insert(Entry {
            window_start: now,
            failures: 0,
            blocked_until: None,
        });
        if now.duration_since(entry.window_start) >= WINDOW {
            entry.window_start = now;
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        let blocked = entry.blocked_until.is_some_and(|until| until > now);
        if entry.failures > self.limit && !blocked {
            entry.blocked_until = Some(entry.window_start + WINDOW);
            return true;
        }
        false
    }
}

fn prune(map: &mut HashMap<IpAddr, Entry>, now: Instant) {
    map.retain(|_, e| {
        now.duration_since(e.window_start) < WINDOW || e.blocked_until.is_some_and(|u| u > now)
    });
    if map.len() >= MAX_TRACKED {
        let oldest = map
            .iter()
            .min_by_key(|(_, e)| e.window_start)
            .map(|(k, _)| *k);
        if let Some(k) = oldest {
            map.remove(&k);
        }
    }
}

impl zeugnis_core::services::login::AddressThrottle for Throttle {
    fn refused_for(&self, ip: IpAddr) -> Option<u64> {
        match self.check(ip, Instant::now()) {
            Verdict::Blocked { retry_after } => Some(retry_after.as_secs().max(1)),
            Verdict::Allowed => None,
        }
    }

    fn record_failure(&self, ip: IpAddr) -> bool {
        let started = Throttle::record_failure(self, ip, Instant::now());
        if started {
            // The operator hears of it without the address (it is in the
            // organisation's audit log).
            tracing::warn!(
                "many failed logins from one address: it is refused for a minute (suspected attack; the address is in the audit log)"
            );
        }
        started
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_limit_is_blocked_until_the_window_ends_and_reported_once() {
        let t = Throttle::new(3);
        let ip: IpAddr = "203.0.113.5".parse().unwrap();
        let other: IpAddr = "203.0.113.6".parse().unwrap();
        let start = Instant::now();
        for i in 0..3 {
            assert!(!t.record_failure(ip, start + Duration::from_secs(i)));
            assert_eq!(
                t.check(ip, start + Duration::from_secs(i)),
                Verdict::Allowed
            );
        }
        assert!(t.record_failure(ip, start + Duration::from_secs(4)));
        assert!(!t.record_failure(ip, start + Duration::from_secs(5)));
        assert_eq!(
            t.check(ip, start + Duration::from_secs(10)),
            Verdict::Blocked {
                retry_after: Duration::from_secs(50)
            }
        );
        assert_eq!(
            t.check(other, start + Duration::from_secs(10)),
            Verdict::Allowed
        );
        assert_eq!(t.check(ip, start + WINDOW), Verdict::Allowed);
    }

    #[test]
    fn ipv6_addresses_of_one_network_share_a_counter() {
        let t = Throttle::new(1);
        let now = Instant::now();
        assert!(!t.record_failure("2001:db8:1:2::1".parse().unwrap(), now));
        assert!(t.record_failure("2001:db8:1:2::ffff".parse().unwrap(), now));
        assert!(matches!(
            t.check("2001:db8:1:2:abcd::9".parse().unwrap(), now),
            Verdict::Blocked { .. }
        ));
        assert_eq!(
            t.check("2001:db8:1:3::1".parse().unwrap(), now),
            Verdict::Allowed
        );
    }

    #[test]
    fn the_table_stays_bounded() {
        let t = Throttle::new(5);
        let now = Instant::now();
        for i in 0..(MAX_TRACKED as u32 + 10) {
            t.record_failure(IpAddr::from(i.to_be_bytes()), now);
        }
        assert!(t.lock().len() <= MAX_TRACKED);
    }
}
