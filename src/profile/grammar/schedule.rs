//! The `schedule` grammar: a safe subset of systemd's OnCalendar.

use super::{all, refuse, Check};

const CALENDAR_SHORTHANDS: &[&str] = &[
    "minutely",
    "hourly",
    "daily",
    "weekly",
    "monthly",
    "yearly",
    "annually",
    "quarterly",
    "semiannually",
];

const WEEKDAYS: &[&str] = &[
    "Mon",
    "Tue",
    "Wed",
    "Thu",
    "Fri",
    "Sat",
    "Sun",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn weekday_index(d: &str) -> Option<usize> {
    WEEKDAYS.iter().position(|w| *w == d).map(|i| i % 7)
}

/// `Mon`, `Mon,Fri`, `Mon..Fri`, `Sat,Sun` (ranges go forward in the week).
fn weekday_list(s: &str) -> bool {
    s.split(',').all(|item| match item.split_once("..") {
        Some((a, b)) => weekday_index(a)
            .zip(weekday_index(b))
            .is_some_and(|(a, b)| a <= b),
        None => weekday_index(item).is_some(),
    })
}

/// One date or time component, as systemd accepts it: `*`, or a comma
/// list of `N` and `N..M` (N <= M) within `lo..=hi`, each with an optional
/// `/STEP` (STEP >= 1).
fn calendar_component(s: &str, lo: u32, hi: u32) -> bool {
    if s == "*" {
        return true;
    }
    let number = |n: &str| -> Option<u32> {
        if n.is_empty() || n.len() > 4 || !all(n, |c| c.is_ascii_digit()) {
            return None;
        }
        n.parse().ok()
    };
    let in_range = |n: &str| number(n).filter(|v| (lo..=hi).contains(v));
    s.split(',').all(|item| {
        let (value, step) = match item.split_once('/') {
            Some((v, st)) => (v, Some(st)),
            None => (item, None),
        };
        let value_ok = match value.split_once("..") {
            Some((a, b)) => in_range(a).zip(in_range(b)).is_some_and(|(a, b)| a <= b),
            None => in_range(value).is_some(),
        };
        value_ok && step.map_or(true, |st| number(st).is_some_and(|n| n >= 1))
    })
}

/// A systemd OnCalendar expression (systemd.time(7)) from a safe subset:
/// a shorthand (`daily`), or `[WEEKDAYS] [[YEAR-]MONTH-DAY] [HH:MM[:SS]]
/// [UTC]` whose components are `*`, numbers within their ranges, ranges
/// `N..M`, lists `,` and steps `/N`; tests check it against
/// `systemd-analyze calendar`.
pub fn schedule(s: &str) -> Check {
    let help = Some("a systemd OnCalendar expression, e.g. `daily` or `*-*-* 00:00:00` (cron's `0 0 * * *`); see systemd.time(7)");
    let bad = || refuse("an OnCalendar expression", help);
    if CALENDAR_SHORTHANDS.contains(&s) {
        return Ok(());
    }
    let mut words = s.split(' ').peekable();
    let mut parts = 0;
    if words.peek().is_some_and(|w| weekday_list(w)) {
        words.next();
        parts += 1;
    }
    if let Some(date) = words.next_if(|w| w.contains('-')) {
        let comps: Vec<&str> = date.split('-').collect();
        let ok = match comps.as_slice() {
            [y, m, d] => {
                calendar_component(y, 1970, 2199)
                    && calendar_component(m, 1, 12)
                    && calendar_component(d, 1, 31)
            }
            [m, d] => calendar_component(m, 1, 12) && calendar_component(d, 1, 31),
            _ => false,
        };
        if !ok {
            return bad();
        }
        parts += 1;
    }
    if let Some(time) = words.next_if(|w| w.contains(':')) {
        let comps: Vec<&str> = time.split(':').collect();
        let ok = match comps.as_slice() {
            [h, m] => calendar_component(h, 0, 23) && calendar_component(m, 0, 59),
            [h, m, sec] => {
                calendar_component(h, 0, 23)
                    && calendar_component(m, 0, 59)
                    && calendar_component(sec, 0, 59)
            }
            _ => false,
        };
        if !ok {
            return bad();
        }
        parts += 1;
    }
    words.next_if(|w| *w == "UTC");
    if parts == 0 || words.next().is_some() {
        return bad();
    }
    Ok(())
}
