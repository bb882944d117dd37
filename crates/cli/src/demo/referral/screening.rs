//! The screening a practitioner submits with a referral (R2.2-R2.4): answers to the tool
//! that make each category likely, the tool's proposal, the practitioner's confirmation
//! (now and then a different category, with a reason), and the details the MASH reads.

use std::collections::BTreeSet;

use anyhow::{Result, anyhow};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use safehub_domain::DateOfBirth;
use safehub_domain::screening::{Answer, Category, Indicator, Responses, confirm};
use safehub_store::screenings::{Screening, ScreeningStatus};

use super::super::phrases::{self, pick};
use super::super::records::DemoChild;
use super::super::staff::Staff;
use super::super::weighted;
use super::{MINUTE, Planner, id_at, london_day};

impl Planner<'_> {
    /// Answers to the screening tool that make a category 1, 2 or 3 proposal likely: a few
    /// indicators answered Yes with evidence, some No, and one or two Not known.
    pub(super) fn answers(&self, rng: &mut StdRng) -> Responses {
        let target = weighted(rng, &[(45, 1usize), (35, 2), (20, 3)]);
        let mut yes: BTreeSet<&str> = BTreeSet::new();
        // Indicators answered Yes: `n` (at least `min`, at most `max`) pointing to `level`.
        let mut take = |rng: &mut StdRng, level: usize, min: usize, max: usize| {
            let n = rng.gen_range(min..=max);
            for i in self.by_level[level - 1].choose_multiple(rng, n) {
                yes.insert(i.code());
            }
        };
        // Now and then only one indicator at the top level, so the tool proposes lower.
        let top = if target > 1 && rng.gen_bool(0.15) {
            1
        } else {
            rng.gen_range(2..=3)
        };
        match target {
            1 => take(rng, 1, 1, 3),
            2 => {
                take(rng, 2, top, top);
                take(rng, 1, 0, 2);
            }
            _ => {
                take(rng, 3, top, top);
                take(rng, 2, 0, 2);
                take(rng, 1, 0, 1);
            }
        }
        let mut r = Responses::new();
        for code in &yes {
            r.set(*code, Answer::Yes, pick(rng, &phrases::EVIDENCE));
        }
        let others: Vec<&Indicator> = self
            .tool
            .indicators()
            .filter(|i| !yes.contains(i.code()))
            .collect();
        let n = rng.gen_range(4..=10);
        for (k, i) in others.choose_multiple(rng, n).enumerate() {
            let answer = if k < 2 && rng.gen_bool(0.3) {
                Answer::Unknown
            } else {
                Answer::No
            };
            r.set(i.code(), answer, "");
        }
        r
    }

    /// The screening a practitioner submitted at `at`, with its confirmed category, and
    /// the details the MASH reads.
    pub(super) fn screening(
        &self,
        rng: &mut StdRng,
        child: &DemoChild,
        by: &Staff,
        at: i64,
    ) -> Result<(Screening, String)> {
        let day = london_day(at);
        let band = child
            .date_of_birth
            .and_then(|d| DateOfBirth::check(d, day).ok())
            .map(|d| d.band_on(day));
        let responses = self.answers(rng);
        let checked = self
            .tool
            .check(&responses)
            .map_err(|p| anyhow!("demo screening answers refused: {p:?}"))?;
        let proposal = self.tool.propose(&checked, band);
        let proposed = proposal.category().unwrap_or(Category::AtRisk);
        let (chosen, reason) = if rng.gen_bool(0.1) {
            let other = match proposed {
                Category::AtRisk => Category::SignificantRisk,
                Category::SeriousRisk => Category::SignificantRisk,
                Category::SignificantRisk if rng.gen_bool(0.5) => Category::AtRisk,
                Category::SignificantRisk => Category::SeriousRisk,
            };
            (other, pick(rng, &phrases::CATEGORY_REASONS))
        } else {
            (proposed, "")
        };
        let confirmed = confirm(&proposal, chosen, reason)?;
        let answers: std::collections::BTreeMap<&str, _> = checked.iter().collect();
        let signs = pick(rng, &phrases::SIGNS_NOT_WORDS);
        let adviser = self
            .region
            .advisers
            .get(&by.agency)
            .and_then(|a| a.first())
            .map_or_else(|| by.name.clone(), |a| a.name.clone());
        let created_at = at - rng.gen_range(10 * MINUTE..120 * MINUTE);
        let screening = Screening {
            id: id_at(rng, created_at),
            child: child.id,
            tool_version: self.tool.version().to_owned(),
            agency: by.agency,
            created_by: by.id,
            created_at,
            updated_at: at,
            status: ScreeningStatus::Draft,
            answers: serde_json::to_string(&answers)?,
            signs_not_words: signs.to_owned(),
            proposed_category: proposal.category().map(Category::number),
            category: Some(confirmed.chosen().number()),
            category_reason: confirmed.reason().unwrap_or_default().to_owned(),
            adviser_consulted: adviser,
            adviser_consulted_on: Some(day.to_string()),
            submitted_at: Some(at),
        };
        // The details as the screening pages write them for the MASH.
        let yes: Vec<String> = self
            .tool
            .indicators()
            .filter_map(|i| {
                let r = checked.get(i.code())?;
                (r.answer == Answer::Yes).then(|| format!("- {}: {}", i.text(), r.evidence))
            })
            .collect();
        let details = format!(
            "Screening with the CSE screening tool, version {}.\n\n{}\n{}\n\nAnswered Yes:\n{}\n",
            self.tool.version(),
            self.tool.see_me_hear_me_question(),
            signs,
            yes.join("\n")
        );
        Ok((screening, details))
    }
}
