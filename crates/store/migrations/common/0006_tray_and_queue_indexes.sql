-- Indexes for the work trays, the MASH queue and the escalation worker, so that no page or
-- background job walks every open clock or every waiting referral.

-- A referral's clocks: every referral page and every MASH decision reads, ends or reassigns
-- them, and the MASH queue shows each waiting referral's most urgent one.
CREATE INDEX clocks_by_referral ON clocks (referral_id, ended_at, due_at);

-- The three parts of a work tray ("yours", "your team's", "your agency's, not yet
-- allocated"), each read in (due_at, id) order, page by page. The owner columns that must be
-- empty are in the index, so a part's range holds only that part's clocks however many of
-- the team's or agency's clocks are allocated; `id` makes the order total, so pages neither
-- repeat nor skip a clock.
DROP INDEX clocks_by_owner_user;
DROP INDEX clocks_by_owner_team;
DROP INDEX clocks_by_owner_agency;
CREATE INDEX clocks_by_owner_user ON clocks (owner_user, ended_at, due_at, id);
CREATE INDEX clocks_by_owner_team ON clocks (owner_team, owner_user, ended_at, due_at, id);
CREATE INDEX clocks_by_owner_agency
    ON clocks (owner_agency, owner_team, owner_user, ended_at, due_at, id);

-- The escalation worker's question every 30 seconds: open clocks not yet escalated, by due
-- time. Once escalated a clock leaves this index, so the look-up does not grow with history.
CREATE INDEX clocks_awaiting_escalation ON clocks (due_at)
    WHERE ended_at IS NULL AND escalated_at IS NULL;

-- The MASH queue in its own order (category, highest first, with none last; then the
-- oldest), so a page of the queue is read straight from the index instead of sorting every
-- referral waiting. The expression must stay exactly as `Store::mash_queue` writes it.
DROP INDEX referrals_by_queue;
CREATE INDEX referrals_by_queue
    ON referrals (mash_agency, status, (COALESCE(category, 0)) DESC, received_at, id);
