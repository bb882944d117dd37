//! Invented words for the demo's history: places, evidence, summaries and the MASH's Signs of
//! Safety records. Every name and place here is made up; none describes a real person.

use rand::Rng;
use rand::rngs::StdRng;

/// One item of a list, chosen by the seeded generator.
pub fn pick<'a, T: ?Sized>(rng: &mut StdRng, list: &[&'a T]) -> &'a T {
    list[rng.gen_range(0..list.len())]
}

pub const STREETS: [&str; 20] = [
    "Alderbrook",
    "Bramblegate",
    "Cinderfield",
    "Dovecote",
    "Elderholt",
    "Fernlow",
    "Gorsemoor",
    "Hazelrigg",
    "Ivybank",
    "Juniper Hollow",
    "Kestrelmead",
    "Lapwing",
    "Millstream",
    "Nettlecombe",
    "Orchard Vale",
    "Plover",
    "Quarryside",
    "Rookwood",
    "Sedgefield",
    "Thistlecroft",
];

pub const STREET_KINDS: [&str; 8] = [
    "Road", "Street", "Close", "Avenue", "Lane", "Crescent", "Drive", "Grove",
];

pub const COLLEGES: [&str; 4] = [
    "Northwick Sixth Form",
    "Calder Valley College",
    "Foundry Lane College",
    "Kingsmere Sixth Form Centre",
];

pub const SCHOOLS: [&str; 11] = [
    "Brookmere Academy",
    "Calderwood High School",
    "Dunsley Park School",
    "Eastholme Community College",
    "Fairbourne Academy",
    "Greystone Church of England Academy",
    "Harrowfield School",
    "Kingsmere College",
    "Longacre Pupil Referral Unit",
    "Marlowe Grange Academy",
    "St Aidan's Catholic School",
];

pub const GPS: [&str; 10] = [
    "Alderbrook Medical Practice",
    "Beech Tree Surgery",
    "Canal Side Health Centre",
    "Elm Lane Surgery",
    "Foxglove Family Practice",
    "Highfield Road Surgery",
    "Larkspur Medical Centre",
    "Meadowbank Health Centre",
    "Riverside Group Practice",
    "Willowbrook Surgery",
];

/// Authorities that place looked-after children in the region from elsewhere.
pub const PLACING_AUTHORITIES: [&str; 6] = [
    "Northmoor County Council",
    "Eastbridge Borough Council",
    "Westharrow City Council",
    "Southdale Council",
    "Highcombe Borough Council",
    "Lowfold County Council",
];

pub const RELATIONSHIPS: [&str; 5] = [
    "mother",
    "father",
    "foster carer",
    "grandmother",
    "step-father",
];

/// What a practitioner saw or was told, for an indicator answered Yes.
pub const EVIDENCE: [&str; 16] = [
    "Reported by the form tutor on several occasions this term.",
    "Seen by school staff; recorded in the safeguarding log.",
    "Disclosed to the youth worker during a one-to-one session.",
    "Noted by the carer and confirmed by a police missing report.",
    "Raised by the school nurse at a routine appointment.",
    "Observed by outreach workers near the bus station in the evening.",
    "Mentioned by a friend to a teaching assistant, who passed it on.",
    "Recorded in the case notes after a home visit last week.",
    "Told to the practitioner directly; the young person asked that it be kept private.",
    "Parent described it on the phone and again in person.",
    "Seen on two occasions by the attendance officer.",
    "Reported by the residential home's night staff.",
    "Known to the youth offending worker from supervision sessions.",
    "The young person's own account, given calmly and in detail.",
    "Noted at the last two contacts; pattern getting more frequent.",
    "Information from the housing officer after a visit to the address.",
];

/// Answers to "what is this child telling me through signs and not just words?".
pub const SIGNS_NOT_WORDS: [&str; 10] = [
    "Withdrawn and tired in lessons; says everything is fine but avoids eye contact.",
    "Angry when asked where they have been; protective of their phone.",
    "Has stopped seeing old friends and talks about a new, older group.",
    "Seems frightened when the phone rings; leaves straight away afterwards.",
    "Appears to be seeking attention from adults, then pulls away.",
    "Talks about being 'looked after' by people we do not know.",
    "Sleeping through the day, out at night; eating very little.",
    "Defends an older 'boyfriend' whenever concerns are raised.",
    "Quiet and compliant in school, but late and dishevelled most mornings.",
    "Has new clothes and money with no explanation given.",
];

/// A category chosen other than the tool's proposal needs a reason (WM-12.3).
pub const CATEGORY_REASONS: [&str; 6] = [
    "The pattern over the last month is stronger than the individual answers show.",
    "Information from the police since the screening points to a higher risk.",
    "The young person is now engaging well and the main risk has been removed.",
    "Several answers are Not known; on what we do know the risk is lower.",
    "An older adult has been seen with the young person repeatedly.",
    "The family are protective and have already acted on the concerns.",
];

pub const SUMMARIES_SCREENING: [&str; 10] = [
    "Missing overnight twice this month; seen getting into cars with unknown adults.",
    "New older friends, unexplained gifts and a second phone.",
    "Disclosed an online relationship with an adult who asked for images.",
    "Persistent absence from school; seen at a house of concern.",
    "Returned home intoxicated late at night on several occasions.",
    "Self-harm and low mood following contact with older males.",
    "Associating with young people known to be exploited.",
    "Unexplained money and clothes; secretive about where they go.",
    "Placement breakdown; found in another town after going missing.",
    "Concerns raised by a friend about a 'boyfriend' in his twenties.",
];

pub const SUMMARIES_POLICE: [&str; 6] = [
    "Vulnerable person notification: found in a car with older males at 02:00.",
    "Vulnerable person notification: taxi driver reported concerns about passengers.",
    "Missing person found at an address of concern.",
    "Stop and search: young person with unexplained cash and phones.",
    "Vulnerable person notification after a call to 101 from a hotel.",
    "Found intoxicated in a park late at night with unknown adults.",
];

pub const SUMMARIES_PLACING: [&str; 4] = [
    "Placing authority notice: looked-after child placed here is going missing.",
    "Placing authority notice: concerns about contact with older adults near the placement.",
    "Placing authority notice: placement move after exploitation concerns.",
    "Placing authority notice: intelligence about adults targeting the young person.",
];

pub const SUMMARIES_PARENT: [&str; 5] = [
    "Parent worried about an older 'friend' who collects the young person by car.",
    "Carer found messages from unknown adults on the young person's phone.",
    "Parent reports the young person staying out overnight and refusing to say where.",
    "Grandparent concerned about new clothes, money and a changed personality.",
    "Parent found alcohol and a hotel key card in the young person's bag.",
];

pub const DETAILS_OTHER: [&str; 5] = [
    "Details as given by the referrer. Agency checks requested from police, health and education.",
    "The referrer has spoken to the family; they agree to the referral and will work with services.",
    "The young person was spoken to and gave a partial account; they were taken home safely.",
    "Information shared under the regional protocol. The referrer asks to be told the outcome.",
    "Previous concerns recorded last year; this is the second notification in six months.",
];

pub const WORRIES: [&str; 8] = [
    "Repeated missing episodes and contact with adults not known to the family.",
    "The young person does not see the relationship as harmful and is being groomed.",
    "Gifts, money and alcohol from older males; increasing time away from home.",
    "Online contact with adults asking for images; possible threats to share them.",
    "Self-harm and low mood linked to the people the young person is spending time with.",
    "Associates include young people known to be exploited; risk of being drawn in further.",
    "Placement instability and going missing from care.",
    "Drug use and offending that may be directed by others.",
];

pub const WORKING_WELL: [&str; 8] = [
    "A trusted relationship with the school's designated safeguarding lead.",
    "Parents are protective and acted quickly when they had concerns.",
    "The young person attends youth club and engages with the youth worker.",
    "Good attendance at school until this term; stable friendships in year group.",
    "Carers are consistent and report every missing episode promptly.",
    "The young person has told a professional what is happening.",
    "Health appointments are kept; the school nurse is a trusted adult.",
    "Grandparents offer a safe place to stay at weekends.",
];

pub const NEEDS_TO_HAPPEN: [&str; 8] = [
    "Multi-agency discussion to share information and agree a safety plan.",
    "Return home interviews after every missing episode.",
    "Direct work on healthy relationships through the specialist CSE service.",
    "Police to disrupt the adults involved and check the addresses named.",
    "School to put in place a daily check-in and monitor attendance.",
    "Social work assessment of the young person's needs and the family's capacity.",
    "Early help plan led by the school with the family's agreement, reviewed in 3 months.",
    "Online safety work with the young person and the parents.",
];

pub const REASONS: [&str; 8] = [
    "Indicators and agency checks show a significant risk; the threshold is met.",
    "The risk is real but the family are protective; support through early help.",
    "Known to children's services; the allocated worker will take this forward.",
    "An immediate risk of significant harm: child protection procedures started.",
    "Needs are complex and not yet understood; an assessment is needed.",
    "Concerns are about neglect and school attendance rather than exploitation.",
    "Information from police checks shows no contact with the adults named.",
    "The young person and family agree to a child in need plan and MACSE referral.",
];

pub const INTERVENTIONS: [&str; 4] = [
    "School pastoral support and a referral to the school counsellor.",
    "Family support worker to help with routines and boundaries.",
    "Youth service activities in the evenings; mentoring offered.",
    "Online safety session for the young person and parents.",
];

pub const MONITORING: [&str; 4] = [
    "Attendance, any missing episodes, and contact with older adults.",
    "Changes in mood, new possessions or money, and who collects the young person.",
    "Online contacts and any requests for images.",
    "Any further concerns to be screened again and referred.",
];

pub const CHECKS_POLICE: [&str; 4] = [
    "No trace.",
    "Two missing episodes recorded; no offences.",
    "Named adult known for violence; intelligence shared.",
    "Address of concern linked to previous exploitation.",
];

pub const CHECKS_HEALTH: [&str; 4] = [
    "Registered with GP; no concerns recorded.",
    "Attended A&E twice this year; intoxication.",
    "Sexual health clinic attendance noted.",
    "Known to CAMHS; waiting list.",
];

pub const CHECKS_EDUCATION: [&str; 4] = [
    "Attendance 78% this term; fixed-term exclusion last year.",
    "Good attendance; concerns raised by pastoral staff.",
    "On a part-time timetable since September.",
    "Moved school in the last year; records requested.",
];
