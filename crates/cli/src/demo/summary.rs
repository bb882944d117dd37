//! What `safehub demo` says it seeded: the queues and trays the demo accounts will find.

use safehub_store::clocks::Clock;

use super::history;
use super::referral::Planned;
use super::staff::Region;

/// What the seeded history holds, for the start-up message.
pub struct Summary {
    /// Referrals awaiting triage in all the MASHes.
    pub awaiting: usize,
    /// Referrals awaiting triage in Birmingham's (mash@'s queue).
    first_queue: usize,
    /// Open clocks past their time limit.
    pub overdue: usize,
    /// Open and overdue clocks on social.worker@'s tray.
    worker: (usize, usize),
    /// And on team.manager@'s (with the clocks their agency holds unallocated).
    manager: (usize, usize),
}

impl Summary {
    /// Counts what the planned history leaves open at `now`.
    pub fn of(region: &Region, planned: &[Planned], now: i64) -> Self {
        let first = &region.areas[0];
        let open = || {
            planned
                .iter()
                .flat_map(|p| &p.clocks)
                .filter(|c| c.ended_at.is_none())
        };
        let tray = |on: &dyn Fn(&Clock) -> bool| {
            let mine: Vec<_> = open().filter(|c| on(c)).collect();
            (mine.len(), mine.iter().filter(|c| c.due_at < now).count())
        };
        let worker = first.social_workers.first().map(|w| w.id);
        let manager = first.team_managers.first().map(|m| m.id);
        Summary {
            awaiting: planned.iter().filter(|p| p.decision.is_none()).count(),
            first_queue: planned
                .iter()
                .filter(|p| p.decision.is_none() && p.referral.mash_agency == first.mash)
                .count(),
            overdue: open().filter(|c| c.due_at < now).count(),
            worker: tray(&|c| c.owner_user.is_some() && c.owner_user == worker),
            manager: tray(&|c| {
                (c.owner_user.is_some() && c.owner_user == manager)
                    || (c.owner_user.is_none() && c.owner_agency == first.mash)
            }),
        }
    }
}

impl Summary {
    /// Prints what was seeded: `counts` are areas, accounts, children and referrals.
    pub fn print(&self, counts: [usize; 4], open_clocks: i64, seconds: f64) {
        let [areas, accounts, children, referrals] = counts;
        println!(
            "Demo region: {areas} areas, {accounts} accounts, {children} children, {referrals} referrals over {} years.",
            history::YEARS
        );
        println!(
            "  {} referrals await triage ({} in the Birmingham MASH queue); {open_clocks} statutory clocks are open, {} of them overdue.",
            self.awaiting, self.first_queue, self.overdue
        );
        println!(
            "  social.worker@ has {} open clocks ({} overdue); team.manager@ has {} ({} overdue).",
            self.worker.0, self.worker.1, self.manager.0, self.manager.1
        );
        println!("  Seeded in {seconds:.1} s.");
    }
}
