//! Three years of the front door in the demo region: referrals by every route, more of them
//! recently, decided by the MASH or still in its queue, with their clocks, notifications and
//! the audit entries the chronology reads (R2, R3, R4.9).

use anyhow::Result;
use jiff::civil::Weekday;
use rand::Rng;
use rand::rngs::StdRng;
use safehub_domain::pathway::RouteIn;
use safehub_domain::screening::ScreeningTool;

use super::records::DemoChild;
use super::referral::{DAY, HOUR, MINUTE, Planned, Planner};
use super::staff::Region;
use super::weighted;

/// How far back the history goes.
pub const YEARS: i64 = 3;
const SPAN: i64 = YEARS * 365 * DAY;
/// The share of referrals in the last six weeks beyond the steady growth: the current
/// caseload, so that queues and trays are full.
const RECENT_SHARE: f64 = 0.12;
const RECENT: i64 = 42 * DAY;

/// How referrals reach the MASH, most by agency screening (R2.5).
const ROUTES: [(u32, RouteIn); 4] = [
    (75, RouteIn::AgencyScreening),
    (12, RouteIn::PoliceNotification),
    (8, RouteIn::ParentOrCarer),
    (5, RouteIn::PlacingAuthority),
];

/// When a referral came in: steadily more each year (three times as many now as three
/// years ago), plus the current caseload; mostly in office hours on weekdays.
fn received_at(rng: &mut StdRng, now: i64) -> i64 {
    let age = if rng.gen_bool(RECENT_SHARE) {
        rng.gen_range(0..RECENT)
    } else {
        loop {
            let a = rng.gen_range(0..SPAN);
            let density = 1.0 + 2.0 * (1.0 - a as f64 / SPAN as f64);
            if rng.gen_bool(density / 3.0) {
                break a;
            }
        }
    };
    let at = now - age;
    office_hours(rng, at)
        .filter(|t| *t < now - 10 * MINUTE)
        .unwrap_or(at)
}

/// Moves most times into 08:00-18:00 London time and most weekend times to the Friday.
fn office_hours(rng: &mut StdRng, at: i64) -> Option<i64> {
    let london = jiff::tz::TimeZone::get("Europe/London").ok()?;
    let mut day = jiff::Timestamp::from_millisecond(at)
        .ok()?
        .to_zoned(london.clone())
        .date();
    let back = match day.weekday() {
        Weekday::Saturday => 1,
        Weekday::Sunday => 2,
        _ => 0,
    };
    if back > 0 && rng.gen_bool(0.75) {
        day = day.checked_sub(jiff::Span::new().days(back)).ok()?;
    }
    if !rng.gen_bool(0.85) {
        return Some(at);
    }
    let time = day.at(
        rng.gen_range(8..18),
        rng.gen_range(0..60),
        rng.gen_range(0..60),
        0,
    );
    Some(time.to_zoned(london).ok()?.timestamp().as_millisecond())
}

/// The earliest a child is referred: aged 10, and not before the record existed.
fn earliest(child: &DemoChild, now: i64) -> i64 {
    let ten = child
        .date_of_birth
        .and_then(|d| d.checked_add(jiff::Span::new().years(10)).ok())
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map_or(now - SPAN, |z| z.timestamp().as_millisecond());
    ten.max(child.created_at.filter(|_| child.stored).unwrap_or(0))
}

/// Picks the child a referral is about: a third are children referred before (repeat
/// referrals), the rest children not yet referred.
struct Chooser {
    fresh: Vec<Vec<usize>>,
    referred: Vec<Vec<usize>>,
    earliest: Vec<i64>,
}

impl Chooser {
    fn new(children: &[DemoChild], areas: usize, now: i64) -> Self {
        let mut fresh = vec![Vec::new(); areas];
        for (i, c) in children.iter().enumerate() {
            fresh[c.area].push(i);
        }
        Chooser {
            fresh,
            referred: vec![Vec::new(); areas],
            earliest: children.iter().map(|c| earliest(c, now)).collect(),
        }
    }

    fn choose(
        &mut self,
        rng: &mut StdRng,
        children: &[DemoChild],
        area: usize,
        at: i64,
        route: RouteIn,
    ) -> Option<(usize, bool)> {
        let fits = |i: usize, earliest: &[i64]| {
            earliest[i] <= at
                && (route != RouteIn::PlacingAuthority || children[i].placed_from_elsewhere)
        };
        let again = rng.gen_bool(0.35);
        for pass in 0..2 {
            let from_fresh = (pass == 0) != again;
            let pool = if from_fresh {
                &self.fresh[area]
            } else {
                &self.referred[area]
            };
            for _ in 0..40.min(pool.len() * 2) {
                let k = rng.gen_range(0..pool.len());
                let i = pool[k];
                if fits(i, &self.earliest) {
                    if from_fresh {
                        self.fresh[area].swap_remove(k);
                        self.referred[area].push(i);
                    }
                    return Some((i, from_fresh));
                }
            }
        }
        None
    }
}

/// Plans `n` referrals in time order over the children, and fixes each new child's record
/// time just before its first referral.
pub fn plan(
    rng: &mut StdRng,
    region: &Region,
    children: &mut [DemoChild],
    n: usize,
    now: i64,
) -> Result<Vec<Planned>> {
    let tool = ScreeningTool::default_tool()?;
    let planner = Planner::new(region, tool, now);
    let mut times: Vec<i64> = (0..n).map(|_| received_at(rng, now)).collect();
    times.sort_unstable();
    let area_weights = super::area_weights(region.areas.len());
    let mut chooser = Chooser::new(children, region.areas.len(), now);
    let mut out = Vec::with_capacity(n);
    for at in times {
        let area = weighted(rng, &area_weights);
        let mut route = weighted(rng, &ROUTES);
        let mut chosen = chooser.choose(rng, children, area, at, route);
        if chosen.is_none() && route == RouteIn::PlacingAuthority {
            route = RouteIn::AgencyScreening;
            chosen = chooser.choose(rng, children, area, at, route);
        }
        let Some((i, first)) = chosen else { continue };
        if first && !children[i].stored {
            children[i].created_at = Some(at - rng.gen_range(5 * MINUTE..2 * HOUR));
        }
        out.push(planner.plan(rng, &children[i], route, at, first)?);
    }
    for c in children.iter_mut().filter(|c| c.created_at.is_none()) {
        c.created_at = Some(now - rng.gen_range(DAY..SPAN));
    }
    Ok(out)
}
