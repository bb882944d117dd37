//! The demo's children with full records (R2.1): date of birth (a few estimated), gender,
//! ethnicity, school, GP, an invented address, a legal status in realistic proportions, the
//! placing authority of children placed here from elsewhere, and the allocated social worker
//! of children open to children's services.

use anyhow::Result;
use jiff::civil::Date;
use rand::Rng;
use rand::rngs::StdRng;
use safehub_domain::{ChildId, ChildName, Gender, LegalStatus, UserId};
use safehub_store::Store;
use safehub_store::child_record::{
    self, ChildDetails, ChildFields, Ethnicity, NewAddress, NewChildRecord, estimated_birth_date,
};
use safehub_store::children::{self, Involvement};

use super::phrases::{self, pick};
use super::staff::{Region, Staff};
use super::{FAMILY, GIVEN, weighted};

/// A child of the demo region, as the history needs to know it.
#[derive(Clone, Debug)]
pub struct DemoChild {
    pub id: ChildId,
    /// Index into [`Region::areas`].
    pub area: usize,
    pub date_of_birth: Option<Date>,
    pub legal_status: LegalStatus,
    /// Placed here by another authority (looked-after children only).
    pub placed_from_elsewhere: bool,
    /// The social worker allocated to a child open to children's services.
    pub allocated: Option<UserId>,
    /// Who first recorded the child.
    pub recorder: Staff,
    /// When the record was made; `None` until the history decides (just before the first
    /// referral).
    pub created_at: Option<i64>,
    /// Already in the database (the region's first children).
    pub stored: bool,
    /// The full record to insert, for children not yet stored.
    pub record: Option<NewChildRecord>,
}

const ETHNICITIES: [(u32, Ethnicity); 19] = [
    (520, Ethnicity::WhiteBritish),
    (90, Ethnicity::Pakistani),
    (50, Ethnicity::Indian),
    (20, Ethnicity::Bangladeshi),
    (20, Ethnicity::OtherAsian),
    (30, Ethnicity::Caribbean),
    (40, Ethnicity::African),
    (10, Ethnicity::OtherBlack),
    (40, Ethnicity::WhiteAndBlackCaribbean),
    (20, Ethnicity::WhiteAndAsian),
    (10, Ethnicity::WhiteAndBlackAfrican),
    (20, Ethnicity::OtherMixed),
    (5, Ethnicity::WhiteIrish),
    (5, Ethnicity::GypsyOrIrishTraveller),
    (10, Ethnicity::Roma),
    (40, Ethnicity::OtherWhite),
    (10, Ethnicity::Arab),
    (10, Ethnicity::AnyOther),
    (50, Ethnicity::NotKnown),
];

/// Ages today (10 to 17), weighted towards the middle teens, when most CSE referrals come.
const AGES: [(u32, i16); 8] = [
    (4, 10),
    (6, 11),
    (9, 12),
    (13, 13),
    (17, 14),
    (19, 15),
    (17, 16),
    (15, 17),
];

const GENDERS: [(u32, Gender); 4] = [
    (62, Gender::Female),
    (34, Gender::Male),
    (1, Gender::Other),
    (3, Gender::NotKnown),
];

const STATUSES: [(u32, LegalStatus); 5] = [
    (72, LegalStatus::None),
    (11, LegalStatus::ChildInNeed),
    (6, LegalStatus::ChildProtectionPlan),
    (8, LegalStatus::LookedAfter),
    (3, LegalStatus::CareLeaver),
];

/// Letters a real inward code uses.
const INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

/// An invented address in the area and a postcode-shaped code in the `ZZ` area, which no
/// real UK postcode uses.
fn address(rng: &mut StdRng, area: usize, area_name: &str) -> (String, String) {
    let street = format!(
        "{} {} {}",
        rng.gen_range(1..220),
        pick(rng, &phrases::STREETS),
        pick(rng, &phrases::STREET_KINDS)
    );
    let district = area * 10 + rng.gen_range(1..10);
    let letter = |rng: &mut StdRng| char::from(INWARD[rng.gen_range(0..INWARD.len())]);
    let postcode = format!(
        "ZZ{district} {}{}{}",
        rng.gen_range(1..10),
        letter(rng),
        letter(rng)
    );
    (format!("{street}, {area_name}"), postcode)
}

/// Plans `n` children across the areas (Birmingham, the largest, with the most).
pub fn plan(rng: &mut StdRng, region: &Region, n: usize, today: Date) -> Result<Vec<DemoChild>> {
    let area_weights = super::area_weights(region.areas.len());
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let area = weighted(rng, &area_weights);
        let staff = &region.areas[area];
        let age = weighted(rng, &AGES);
        let roll = rng.gen_range(0..100);
        let (date_of_birth, age_estimated) = if roll < 2 {
            (None, false)
        } else if roll < 6 {
            (estimated_birth_date(age, today), true)
        } else {
            let days = i64::from(age) * 365 + rng.gen_range(0..365);
            (today.checked_sub(jiff::Span::new().days(days)).ok(), false)
        };
        let mut legal_status = weighted(rng, &STATUSES);
        if legal_status == LegalStatus::CareLeaver && age < 16 {
            legal_status = LegalStatus::LookedAfter;
        }
        let open = matches!(
            legal_status,
            LegalStatus::ChildInNeed | LegalStatus::ChildProtectionPlan | LegalStatus::LookedAfter
        );
        let placed_from_elsewhere = legal_status == LegalStatus::LookedAfter && rng.gen_bool(0.35);
        let school = match rng.gen_range(0..100) {
            0..5 => String::new(),
            5..35 => staff.school.clone(),
            35..75 if age >= 16 => pick(rng, &phrases::COLLEGES).to_owned(),
            _ => pick(rng, &phrases::SCHOOLS).to_owned(),
        };
        let gp = if rng.gen_bool(0.03) {
            String::new()
        } else {
            pick(rng, &phrases::GPS).to_owned()
        };
        let (lines, postcode) = address(rng, area, &staff.name);
        let allocated = open
            .then_some(&staff.social_workers)
            .filter(|w| !w.is_empty())
            .map(|w| w[rng.gen_range(0..w.len())].id);
        let recorder = if open && !staff.social_workers.is_empty() {
            staff.social_workers[rng.gen_range(0..staff.social_workers.len())].clone()
        } else {
            weighted(rng, &staff.referrers)
        };
        let id = ChildId::new();
        let name = ChildName::parse(pick(rng, &GIVEN), pick(rng, &FAMILY))?;
        let record = NewChildRecord {
            id,
            area: staff.id,
            fields: ChildFields {
                name,
                date_of_birth,
                age_estimated,
                gender: weighted(rng, &GENDERS),
                legal_status,
                details: ChildDetails {
                    ethnicity: weighted(rng, &ETHNICITIES),
                    school,
                    gp,
                    placing_authority: placed_from_elsewhere
                        .then(|| pick(rng, &phrases::PLACING_AUTHORITIES).to_owned()),
                },
            },
            address: Some(NewAddress {
                address: lines,
                postcode,
                since: None,
                until: None,
            }),
            created_at: 0,
        };
        out.push(DemoChild {
            id,
            area,
            date_of_birth,
            legal_status,
            placed_from_elsewhere,
            allocated,
            recorder,
            created_at: None,
            stored: false,
            record: Some(record),
        });
    }
    Ok(out)
}

/// Children per write transaction.
const BATCH: usize = 500;

/// Writes the planned children not yet stored, in batches. Audit entries for seeded records
/// are left out: the audit trail records what people did, and nobody recorded these.
pub async fn insert(store: &Store, region: &Region, children: &[DemoChild]) -> Result<()> {
    let todo: Vec<&DemoChild> = children.iter().filter(|c| !c.stored).collect();
    for chunk in todo.chunks(BATCH) {
        let mut tx = store.begin().await?;
        for c in chunk {
            let Some(mut record) = c.record.clone() else {
                continue;
            };
            let created_at = c.created_at.unwrap_or_else(safehub_store::now_ms);
            record.created_at = created_at;
            child_record::insert_child_record(&mut tx, &record, c.recorder.id, c.recorder.agency)
                .await?;
            if let Some(worker) = c.allocated {
                let mash = region.areas[c.area].mash;
                children::add_agency(&mut tx, c.id, mash, Involvement::Involved).await?;
                // No store function sets the allocated worker yet; the record pages will.
                sqlx::query("UPDATE children SET allocated_worker = $1 WHERE id = $2")
                    .bind(worker.to_string())
                    .bind(c.id.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
    }
    Ok(())
}
