//! A server tests can start: a fresh database (SQLite, or PostgreSQL when
//! `SAFEHUB_TEST_POSTGRES` is set), a small region, and the application on port 0.

#![allow(dead_code)]

use std::time::Duration;

use safehub_access::Authorizer;
use safehub_auth::{PasswordHasher, SecretString, TotpSecret};
use safehub_domain::{
    AgencyId, AgencyKind, AreaId, ChildId, ChildName, Gender, LegalStatus, Role, UserId,
};
use safehub_store::Store;
use safehub_store::children::{self, Child, Involvement};
use safehub_store::organisations::{self, Agency, Area};
use safehub_store::testing::{TestDatabase, test_database};
use safehub_store::users::{self, NewUser};
use safehub_web::{AppState, WebConfig};

pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

pub const PASSWORD: &str = "a long test password";
pub const TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The small region every test starts with.
pub struct World {
    pub base: String,
    pub store: Store,
    pub north: AreaId,
    pub south: AreaId,
    pub police: AgencyId,
    pub school: AgencyId,
    pub mash: AgencyId,
    pub south_school: AgencyId,
    /// Children: one the school recorded and the MASH received; one only the south school
    /// knows; one the police know with the investigation hidden from the school.
    pub school_child: ChildId,
    pub south_child: ChildId,
    pub restricted_child: ChildId,
    /// The server's state, for calling its functions directly.
    pub state: AppState,
    _db: TestDatabase,
}

/// Adds an enrolled (or, for `new...` addresses, not yet enrolled) user.
pub async fn add_user(
    tx: &mut safehub_store::Tx,
    email: &str,
    agency: AgencyId,
    roles: Vec<Role>,
    hash: &str,
    service: bool,
) -> Result<UserId> {
    let id = UserId::new();
    users::insert_user(
        tx,
        &NewUser {
            id,
            email: email.into(),
            display_name: format!("Test {email}"),
            agency,
            team: None,
            roles,
            password_hash: hash.into(),
            is_service_account: service,
        },
    )
    .await?;
    if !email.starts_with("new") {
        users::begin_totp_enrolment(tx, id, TOTP).await?;
        users::use_totp_step(tx, id, 0).await?;
    }
    Ok(id)
}

fn child(area: AreaId, given: &str) -> Result<Child> {
    Ok(Child {
        id: ChildId::new(),
        area,
        name: ChildName::parse(given, "Testchild")?,
        date_of_birth: None,
        gender: Gender::Female,
        legal_status: LegalStatus::None,
        created_at: 0,
    })
}

pub async fn spawn() -> Result<World> {
    spawn_with(WebConfig::for_tests()).await
}

pub async fn spawn_with(mut config: WebConfig) -> Result<World> {
    let db = test_database().await?;
    let store = Store::connect(&db.url).await?;
    store.migrate().await?;
    let hash = PasswordHasher::fast_for_tests().hash(&SecretString::from(PASSWORD.to_owned()))?;
    let (north, south) = (AreaId::new(), AreaId::new());
    let (police, school, mash, south_school, admin_agency) = (
        AgencyId::new(),
        AgencyId::new(),
        AgencyId::new(),
        AgencyId::new(),
        AgencyId::new(),
    );
    let mut tx = store.begin().await?;
    organisations::insert_area(
        &mut tx,
        &Area {
            id: north,
            code: "NTH".into(),
            name: "Northshire".into(),
        },
    )
    .await?;
    organisations::insert_area(
        &mut tx,
        &Area {
            id: south,
            code: "STH".into(),
            name: "Southshire".into(),
        },
    )
    .await?;
    for (id, name, kind, areas) in [
        (
            police,
            "Test Police",
            AgencyKind::Police,
            vec![north, south],
        ),
        (school, "North School", AgencyKind::Education, vec![north]),
        (
            mash,
            "North MASH",
            AgencyKind::ChildrensServices,
            vec![north],
        ),
        (
            south_school,
            "South School",
            AgencyKind::Education,
            vec![south],
        ),
        (
            admin_agency,
            "North Partnership",
            AgencyKind::ChildrensServices,
            vec![north],
        ),
    ] {
        organisations::insert_agency(
            &mut tx,
            &Agency {
                id,
                name: name.into(),
                kind,
                areas,
            },
        )
        .await?;
    }
    let creator = add_user(
        &mut tx,
        "teacher@test.invalid",
        school,
        vec![Role::ReferringPractitioner],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "teacher2@test.invalid",
        school,
        vec![Role::ReferringPractitioner],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "south.teacher@test.invalid",
        south_school,
        vec![Role::ReferringPractitioner],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "mash@test.invalid",
        mash,
        vec![Role::MashWorker],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "officer@test.invalid",
        police,
        vec![Role::ReferringPractitioner],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "auditor@test.invalid",
        mash,
        vec![Role::QaAuditor],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "admin@test.invalid",
        admin_agency,
        vec![Role::Administrator],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "board@test.invalid",
        admin_agency,
        vec![Role::BoardReader],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "new.starter@test.invalid",
        school,
        vec![Role::ReferringPractitioner],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "service@test.invalid",
        mash,
        vec![Role::MashWorker],
        &hash,
        true,
    )
    .await?;
    add_user(
        &mut tx,
        "police.service@test.invalid",
        police,
        vec![Role::ReferringPractitioner],
        &hash,
        true,
    )
    .await?;
    add_user(
        &mut tx,
        "audit.service@test.invalid",
        mash,
        vec![Role::QaAuditor],
        &hash,
        true,
    )
    .await?;
    add_user(
        &mut tx,
        "admin.service@test.invalid",
        admin_agency,
        vec![Role::Administrator],
        &hash,
        true,
    )
    .await?;
    let a = child(north, "Alpha")?;
    children::insert_child(&mut tx, &a, creator, school).await?;
    children::add_agency(&mut tx, a.id, mash, Involvement::Routed).await?;
    let b = child(south, "Bravo")?;
    children::insert_child(&mut tx, &b, creator, south_school).await?;
    let c = child(north, "Charlie")?;
    children::insert_child(&mut tx, &c, creator, police).await?;
    children::add_agency(&mut tx, c.id, school, Involvement::Involved).await?;
    children::add_restriction(&mut tx, c.id, "investigation", school, "test", creator).await?;
    children::add_restriction(&mut tx, c.id, "plans", school, "test", creator).await?;
    tx.commit().await?;

    config.assets_dir = std::path::PathBuf::from("../../web-assets/dist");
    let state = AppState::new(store.clone(), Authorizer::new()?, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(safehub_web::launch(
        state.clone(),
        listener,
        std::future::pending(),
    ));
    Ok(World {
        base,
        store,
        north,
        south,
        police,
        school,
        mash,
        south_school,
        school_child: a.id,
        south_child: b.id,
        restricted_child: c.id,
        state,
        _db: db,
    })
}

/// A browser without JavaScript: keeps our cookies, never follows redirects.
pub struct Browser {
    pub base: String,
    http: reqwest::Client,
    cookies: Vec<(String, String)>,
}

/// A response as the tests look at it.
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        self.body
            .find(marker)
            .map(|i| {
                let rest = &self.body[i + marker.len()..];
                rest[..rest.find('"').unwrap_or(0)].to_owned()
            })
            .unwrap_or_default()
    }
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        Browser {
            base: base.to_owned(),
            http,
            cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, resp: reqwest::Response) -> Result<Page> {
        for v in resp.headers().get_all(reqwest::header::SET_COOKIE) {
            let text = v.to_str()?;
            let (pair, attrs) = text.split_once(';').unwrap_or((text, ""));
            let (k, val) = pair.split_once('=').ok_or("bad cookie")?;
            self.cookies.retain(|(name, _)| name != k);
            if !attrs.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), val.to_owned()));
            }
        }
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let headers = resp.headers().clone();
        let body = resp.text().await?;
        Ok(Page {
            status,
            location,
            headers,
            body,
        })
    }

    pub async fn get(&mut self, path: &str) -> Result<Page> {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await?;
        self.finish(resp).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Result<Page> {
        let body = serde_urlencoded_encode(form);
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        self.finish(resp).await
    }

    /// Opens the sign-in form and submits an email and password.
    pub async fn enter_password(&mut self, email: &str, password: &str) -> Result<Page> {
        let form = self.get("/sign-in").await?;
        self.post(
            "/sign-in",
            &[
                ("csrf_token", &form.csrf()),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }

    /// Signs in with password and the current TOTP code; returns the final page status.
    pub async fn sign_in(&mut self, email: &str) -> Result<Page> {
        let page = self.enter_password(email, PASSWORD).await?;
        if page.status != 303 {
            return Ok(page);
        }
        let second = self
            .get(page.location.as_deref().unwrap_or("/sign-in/second-factor"))
            .await?;
        let code = TotpSecret::from_base32(TOTP)?.code_at(jiff::Timestamp::now().as_second());
        let path = if second.body.contains("action=\"/sign-in/enrol\"") {
            "/sign-in/enrol"
        } else {
            "/sign-in/second-factor"
        };
        self.post(path, &[("csrf_token", &second.csrf()), ("code", &code)])
            .await
    }
}

pub fn serde_urlencoded_encode(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// Screenings and routes in (tests/front_door_in.rs).

/// A world whose server is already serving, so the shipped screening tool is stored
/// (`launch` stores it before it accepts the first request).
pub async fn front_door_world() -> Result<World> {
    let w = spawn().await?;
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http.get(format!("{}/sign-in", w.base)).send().await.is_ok() {
            return Ok(w);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the server did not start".into())
}

/// Adds an enrolled person with these roles to an agency of the world.
pub async fn add_person(
    w: &World,
    email: &str,
    agency: AgencyId,
    roles: Vec<Role>,
) -> Result<UserId> {
    let hash = PasswordHasher::fast_for_tests().hash(&SecretString::from(PASSWORD.to_owned()))?;
    let mut tx = w.store.begin().await?;
    let id = add_user(&mut tx, email, agency, roles, &hash, false).await?;
    tx.commit().await?;
    Ok(id)
}

/// A new API token for an account, with these scopes.
pub async fn api_token_with(w: &World, email: &str, scopes: &[&str]) -> Result<String> {
    let user = w
        .store
        .user_by_email(email)
        .await?
        .ok_or("no such account")?;
    let token = safehub_auth::Token::generate_api();
    let mut tx = w.store.begin().await?;
    safehub_store::sessions::insert_api_token(
        &mut tx,
        &uuid::Uuid::new_v4().to_string(),
        &token.hash(),
        user.id,
        "test",
        &scopes.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
    )
    .await?;
    tx.commit().await?;
    Ok(token.encode())
}

/// Adds a police intelligence officer and a police analyst to the world's force.
pub async fn add_police_intelligence(w: &World) -> Result<()> {
    let hash = PasswordHasher::fast_for_tests().hash(&SecretString::from(PASSWORD.to_owned()))?;
    let mut tx = w.store.begin().await?;
    add_user(
        &mut tx,
        "intel.officer@test.invalid",
        w.police,
        vec![Role::PoliceIntelligenceOfficer],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "analyst@test.invalid",
        w.police,
        vec![Role::PoliceAnalyst],
        &hash,
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
