//! Behaviour of the web face end to end over HTTP, on SQLite by default and on PostgreSQL when
//! `SAFEHUB_TEST_POSTGRES` is set.

mod common;

use common::{Browser, PASSWORD, Result, TOTP, spawn};
use safehub_auth::TotpSecret;
use safehub_store::audit::RecordKind;
use safehub_store::{AuditAction, AuditOutcome};

fn child_links(body: &str) -> Vec<String> {
    body.match_indices("href=\"/children/")
        .map(|(i, _)| body[i + 16..i + 52].to_owned())
        .collect()
}

#[tokio::test]
async fn sign_in_needs_the_password_and_then_the_second_factor() -> Result {
    let w = spawn().await?;
    let mut b = Browser::new(&w.base);
    let form = b.get("/sign-in").await?;
    assert_eq!(form.status, 200);
    let wrong = b
        .post(
            "/sign-in",
            &[
                ("csrf_token", &form.csrf()),
                ("email", "teacher@test.invalid"),
                ("password", "not the password"),
            ],
        )
        .await?;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("govuk-error-summary"));
    assert!(
        wrong
            .body
            .contains("Enter a correct email address and password")
    );
    assert!(
        wrong.body.contains("value=\"teacher@test.invalid\""),
        "the email typed is kept"
    );
    let ok = b
        .post(
            "/sign-in",
            &[
                ("csrf_token", &form.csrf()),
                ("email", "teacher@test.invalid"),
                ("password", PASSWORD),
            ],
        )
        .await?;
    assert_eq!(ok.location.as_deref(), Some("/sign-in/second-factor"));
    // The password alone opens nothing.
    let home = b.get("/").await?;
    assert_eq!(home.location.as_deref(), Some("/sign-in/second-factor"));
    let second = b.get("/sign-in/second-factor").await?;
    let bad = b
        .post(
            "/sign-in/second-factor",
            &[("csrf_token", &second.csrf()), ("code", "000000")],
        )
        .await?;
    assert_eq!(bad.status, 422);
    let code = TotpSecret::from_base32(TOTP)?.code_at(jiff::Timestamp::now().as_second());
    let good = b
        .post(
            "/sign-in/second-factor",
            &[("csrf_token", &second.csrf()), ("code", &code)],
        )
        .await?;
    assert_eq!(good.location.as_deref(), Some("/"));
    let home = b.get("/").await?;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("My work"));
    // R1.3, R2.6: the agency's SPOC list is in front of every practitioner.
    assert!(home.body.contains("single points of contact"));

    // The same code cannot open a second session.
    let mut other = Browser::new(&w.base);
    other
        .enter_password("teacher@test.invalid", PASSWORD)
        .await?;
    let second = other.get("/sign-in/second-factor").await?;
    let replay = other
        .post(
            "/sign-in/second-factor",
            &[("csrf_token", &second.csrf()), ("code", &code)],
        )
        .await?;
    assert_eq!(replay.status, 422);
    assert!(replay.body.contains("already been used"));

    let trail = w.store.recent_audit(None, None, 50).await?;
    let actions: Vec<AuditAction> = trail.iter().map(|e| e.entry.entry.action).collect();
    assert!(actions.contains(&AuditAction::SignIn));
    assert!(actions.contains(&AuditAction::SignInFailed));
    Ok(())
}

#[tokio::test]
async fn a_new_account_enrols_a_second_factor_and_gets_recovery_codes() -> Result {
    let w = spawn().await?;
    let mut b = Browser::new(&w.base);
    let form = b.get("/sign-in").await?;
    let page = b
        .post(
            "/sign-in",
            &[
                ("csrf_token", &form.csrf()),
                ("email", "new.starter@test.invalid"),
                ("password", PASSWORD),
            ],
        )
        .await?;
    assert_eq!(page.location.as_deref(), Some("/sign-in/enrol"));
    let enrol = b.get("/sign-in/enrol").await?;
    assert!(enrol.body.contains("<svg"), "a QR code is shown");
    let key: String = {
        let start = enrol.body.find("app-setup-key\">").ok_or("no key")? + 15;
        enrol.body[start..]
            .split('<')
            .next()
            .unwrap_or_default()
            .replace(' ', "")
    };
    let secret = TotpSecret::from_base32(&key)?;
    let code = secret.code_at(jiff::Timestamp::now().as_second());
    let done = b
        .post(
            "/sign-in/enrol",
            &[("csrf_token", &enrol.csrf()), ("code", &code)],
        )
        .await?;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("recovery codes"));
    let first_code = done
        .body
        .split("<li><code>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .ok_or("no codes")?
        .to_owned();
    assert_eq!(b.get("/").await?.status, 200);

    // A recovery code signs in once.
    let mut again = Browser::new(&w.base);
    again
        .enter_password("new.starter@test.invalid", PASSWORD)
        .await?;
    let rec = again.get("/sign-in/recovery-code").await?;
    let used = again
        .post(
            "/sign-in/recovery-code",
            &[("csrf_token", &rec.csrf()), ("code", &first_code)],
        )
        .await?;
    assert_eq!(used.location.as_deref(), Some("/"));
    let mut third = Browser::new(&w.base);
    third
        .enter_password("new.starter@test.invalid", PASSWORD)
        .await?;
    let rec = third.get("/sign-in/recovery-code").await?;
    let reused = third
        .post(
            "/sign-in/recovery-code",
            &[("csrf_token", &rec.csrf()), ("code", &first_code)],
        )
        .await?;
    assert_eq!(reused.status, 422);
    Ok(())
}

#[tokio::test]
async fn repeated_failures_lock_known_and_unknown_accounts_alike() -> Result {
    let w = spawn().await?;
    let mut answers = Vec::new();
    for email in ["teacher@test.invalid", "nobody@test.invalid"] {
        let mut b = Browser::new(&w.base);
        let form = b.get("/sign-in").await?;
        let mut last = None;
        for _ in 0..6 {
            last = Some(
                b.post(
                    "/sign-in",
                    &[
                        ("csrf_token", &form.csrf()),
                        ("email", email),
                        ("password", "wrong wrong wrong"),
                    ],
                )
                .await?,
            );
        }
        let last = last.ok_or("no answer")?;
        assert!(
            last.body.contains("too many attempts"),
            "{email} not locked"
        );
        // Even the right password is refused while locked.
        let right = b
            .post(
                "/sign-in",
                &[
                    ("csrf_token", &form.csrf()),
                    ("email", email),
                    ("password", PASSWORD),
                ],
            )
            .await?;
        assert_eq!(right.status, 422);
        answers.push((last.status, right.body.contains("too many attempts")));
    }
    assert_eq!(
        answers[0], answers[1],
        "the answers reveal whether the account exists"
    );
    Ok(())
}

#[tokio::test]
async fn a_forged_csrf_token_changes_nothing_and_is_audited() -> Result {
    let w = spawn().await?;
    let mut b = Browser::new(&w.base);
    assert_eq!(
        b.sign_in("teacher@test.invalid").await?.location.as_deref(),
        Some("/")
    );
    let forged = b.post("/sign-out", &[("csrf_token", "forged")]).await?;
    assert_eq!(forged.status, 403);
    assert_eq!(b.get("/").await?.status, 200, "the session survived");
    let missing = b.post("/sign-out", &[]).await?;
    assert_eq!(missing.status, 403);
    let trail = w
        .store
        .recent_audit(Some(AuditAction::CsrfRejected), None, 10)
        .await?;
    assert_eq!(trail.len(), 2);
    let home = b.get("/").await?;
    let out = b.post("/sign-out", &[("csrf_token", &home.csrf())]).await?;
    assert_eq!(out.location.as_deref(), Some("/sign-in"));
    assert_eq!(b.get("/").await?.location.as_deref(), Some("/sign-in"));
    Ok(())
}

#[tokio::test]
async fn a_practitioner_sees_only_children_their_agency_is_involved_with() -> Result {
    // R1.2, R1.3: access follows the agency's involvement.
    let w = spawn().await?;
    let mut b = Browser::new(&w.base);
    b.sign_in("teacher@test.invalid").await?;
    let mine = b.get(&format!("/children/{}", w.school_child)).await?;
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains("Alpha"));
    let other = b.get(&format!("/children/{}", w.south_child)).await?;
    let unknown = b
        .get(&format!("/children/{}", safehub_domain::ChildId::new()))
        .await?;
    assert_eq!(other.status, 404);
    assert_eq!(unknown.status, 404);
    assert!(!other.body.contains("Bravo"));
    let refused = w
        .store
        .audit_for_record(RecordKind::Child, &w.south_child.to_string(), 10)
        .await?;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].entry.entry.outcome, AuditOutcome::Refused);
    let allowed = w
        .store
        .audit_for_record(RecordKind::Child, &w.school_child.to_string(), 10)
        .await?;
    assert_eq!(allowed[0].entry.entry.outcome, AuditOutcome::Allowed);
    assert!(
        !allowed[0].entry.entry.policies.is_empty(),
        "the deciding policy is recorded"
    );
    Ok(())
}

#[tokio::test]
async fn a_restriction_hides_the_marked_sections_from_the_named_agency() -> Result {
    // R8.3: a confidential investigation hides parts of a case from some agencies.
    let w = spawn().await?;
    let mut teacher = Browser::new(&w.base);
    teacher.sign_in("teacher@test.invalid").await?;
    let page = teacher
        .get(&format!("/children/{}", w.restricted_child))
        .await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Police investigation: restricted"));
    assert!(page.body.contains("Meetings and plans: restricted"));
    let mut officer = Browser::new(&w.base);
    officer.sign_in("officer@test.invalid").await?;
    let page = officer
        .get(&format!("/children/{}", w.restricted_child))
        .await?;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("restricted"));
    Ok(())
}

#[tokio::test]
async fn list_screens_show_exactly_the_children_single_decisions_allow() -> Result {
    let w = spawn().await?;
    let all = [w.school_child, w.south_child, w.restricted_child];
    for email in [
        "teacher@test.invalid",
        "south.teacher@test.invalid",
        "mash@test.invalid",
        "officer@test.invalid",
        "auditor@test.invalid",
    ] {
        let mut b = Browser::new(&w.base);
        b.sign_in(email).await?;
        let listed = child_links(&b.get("/children").await?.body);
        for id in all {
            let single = b.get(&format!("/children/{id}")).await?.status;
            assert_eq!(
                listed.contains(&id.to_string()),
                single == 200,
                "{email} and child {id}: list and record disagree"
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn an_administrator_manages_accounts_but_sees_no_child_data() -> Result {
    // R1.3: the administrator sees no child data unless also a practitioner.
    let w = spawn().await?;
    let mut admin = Browser::new(&w.base);
    admin.sign_in("admin@test.invalid").await?;
    assert!(!admin.get("/children").await?.body.contains("Alpha"));
    assert_eq!(
        admin
            .get(&format!("/children/{}", w.school_child))
            .await?
            .status,
        404
    );
    let list = admin.get("/admin/users").await?;
    assert!(list.body.contains("teacher@test.invalid"));
    assert!(
        !list.body.contains("south.teacher@test.invalid"),
        "accounts of other areas are not listed"
    );

    // Bad input re-displays the form with every problem and keeps what was typed.
    let form = admin.get("/admin/users/new").await?;
    let bad = admin
        .post(
            "/admin/users/new",
            &[
                ("csrf_token", &form.csrf()),
                ("display_name", "Dana Test"),
                ("email", "dana@test.invalid"),
                ("password", "short"),
            ],
        )
        .await?;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Select the person") && bad.body.contains("agency-error"));
    assert!(bad.body.contains("Select at least one role"));
    assert!(bad.body.contains("Password must be 10 characters or more"));
    assert!(bad.body.contains("value=\"Dana Test\""));
    let school = w.school.to_string();
    let created = admin
        .post(
            "/admin/users/new",
            &[
                ("csrf_token", &form.csrf()),
                ("display_name", "Dana Test"),
                ("email", "dana@test.invalid"),
                ("agency", &school),
                ("role", "referring_practitioner"),
                ("role", "agency_spoc"),
                ("password", "a perfectly fine passphrase"),
            ],
        )
        .await?;
    assert_eq!(created.status, 303, "{}", created.body);
    let dana = w
        .store
        .user_by_email("dana@test.invalid")
        .await?
        .ok_or("not created")?;
    assert_eq!(dana.roles.len(), 2);
    let dup = admin
        .post(
            "/admin/users/new",
            &[
                ("csrf_token", &form.csrf()),
                ("display_name", "Dana Again"),
                ("email", "dana@test.invalid"),
                ("agency", &school),
                ("role", "referring_practitioner"),
                ("password", "a perfectly fine passphrase"),
            ],
        )
        .await?;
    assert!(dup.body.contains("already exists"));

    // R1.2, R1.3: agencies with their SPOC list and teams; a team can be added.
    let agencies = admin.get("/admin/agencies").await?;
    assert!(agencies.body.contains("North School"));
    assert!(
        agencies.body.contains("Dana Test"),
        "Dana holds the SPOC role"
    );
    let blank = admin
        .post(
            &format!("/admin/agencies/{}/teams", w.school),
            &[("csrf_token", &agencies.csrf()), ("name", "  ")],
        )
        .await?;
    assert_eq!(blank.status, 422);
    assert!(blank.body.contains("Enter the team"));
    let added = admin
        .post(
            &format!("/admin/agencies/{}/teams", w.school),
            &[("csrf_token", &agencies.csrf()), ("name", "Pastoral team")],
        )
        .await?;
    assert_eq!(added.status, 303);
    assert_eq!(w.store.teams(w.school).await?.len(), 1);
    // An account can be put in a team of its own agency, not of another.
    let team = w.store.teams(w.school).await?.remove(0).id.to_string();
    let form = admin.get("/admin/users/new").await?;
    assert!(form.body.contains("North School: Pastoral team"));
    let mash = w.mash.to_string();
    let wrong = admin
        .post(
            "/admin/users/new",
            &[
                ("csrf_token", &form.csrf()),
                ("display_name", "Eli Test"),
                ("email", "eli@test.invalid"),
                ("agency", &mash),
                ("team", &team),
                ("role", "mash_worker"),
                ("password", "a perfectly fine passphrase"),
            ],
        )
        .await?;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("Select a team of the person"));
    let right = admin
        .post(
            "/admin/users/new",
            &[
                ("csrf_token", &form.csrf()),
                ("display_name", "Eli Test"),
                ("email", "eli@test.invalid"),
                ("agency", &school),
                ("team", &team),
                ("role", "referring_practitioner"),
                ("password", "a perfectly fine passphrase"),
            ],
        )
        .await?;
    assert_eq!(right.status, 303);
    let eli = w
        .store
        .user_by_email("eli@test.invalid")
        .await?
        .ok_or("not created")?;
    assert_eq!(eli.team.map(|t| t.to_string()), Some(team));
    let other_area = admin
        .post(
            &format!("/admin/agencies/{}/teams", w.south_school),
            &[("csrf_token", &agencies.csrf()), ("name", "Not mine")],
        )
        .await?;
    assert_eq!(other_area.status, 404);
    Ok(())
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_at_once() -> Result {
    let w = spawn().await?;
    let mut teacher = Browser::new(&w.base);
    teacher.sign_in("teacher@test.invalid").await?;
    assert_eq!(teacher.get("/").await?.status, 200);
    let mut admin = Browser::new(&w.base);
    admin.sign_in("admin@test.invalid").await?;
    let id = w
        .store
        .user_by_email("teacher@test.invalid")
        .await?
        .ok_or("no teacher")?
        .id;
    let page = admin.get(&format!("/admin/users/{id}")).await?;
    let done = admin
        .post(
            &format!("/admin/users/{id}/disable"),
            &[("csrf_token", &page.csrf())],
        )
        .await?;
    assert_eq!(done.status, 303);
    assert_eq!(
        teacher.get("/").await?.location.as_deref(),
        Some("/sign-in")
    );
    let mut again = Browser::new(&w.base);
    assert_eq!(
        again.sign_in("teacher@test.invalid").await?.status,
        422,
        "a disabled account cannot sign in"
    );
    Ok(())
}

#[tokio::test]
async fn an_idle_session_expires() -> Result {
    let mut config = safehub_web::WebConfig::for_tests();
    config.session_idle = std::time::Duration::from_millis(500);
    let w = common::spawn_with(config).await?;
    let mut b = Browser::new(&w.base);
    b.sign_in("teacher@test.invalid").await?;
    assert_eq!(b.get("/").await?.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let expired = b.get("/").await?;
    assert_eq!(expired.location.as_deref(), Some("/sign-in?timed-out=yes"));
    assert!(
        b.get("/sign-in?timed-out=yes")
            .await?
            .body
            .contains("You were signed out because")
    );
    // The session is over for good, not only for that request.
    assert_eq!(b.get("/").await?.location.as_deref(), Some("/sign-in"));
    Ok(())
}

#[tokio::test]
async fn an_auditor_sees_who_has_seen_a_childs_record() -> Result {
    let w = spawn().await?;
    let mut teacher = Browser::new(&w.base);
    teacher.sign_in("teacher@test.invalid").await?;
    teacher
        .get(&format!("/children/{}", w.school_child))
        .await?;
    let mut auditor = Browser::new(&w.base);
    auditor.sign_in("auditor@test.invalid").await?;
    let page = auditor
        .get(&format!("/audit/children/{}", w.school_child))
        .await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Test teacher@test.invalid"));
    assert!(page.body.contains("North School"));
    let trail = auditor.get("/audit").await?;
    let verified = auditor
        .post("/audit/verify", &[("csrf_token", &trail.csrf())])
        .await?;
    assert!(verified.body.contains("The audit trail is intact"));
    // Other roles cannot read the trail.
    assert_eq!(teacher.get("/audit").await?.status, 404);
    Ok(())
}

#[tokio::test]
async fn every_page_carries_the_security_headers() -> Result {
    let w = spawn().await?;
    let mut b = Browser::new(&w.base);
    let page = b.get("/sign-in").await?;
    let csp = page
        .headers
        .get("content-security-policy")
        .ok_or("no CSP")?
        .to_str()?;
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(
        page.headers
            .get("cache-control")
            .ok_or("no cache-control")?,
        "no-store"
    );
    let cookie = page
        .headers
        .get("set-cookie")
        .ok_or("no cookie")?
        .to_str()?;
    assert!(
        cookie.starts_with("__Host-")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Secure")
    );
    Ok(())
}

#[tokio::test]
async fn oversized_and_malformed_requests_get_a_clear_4xx() -> Result {
    let w = spawn().await?;
    let http = reqwest::Client::new();
    let big = "x".repeat(200 * 1024);
    let resp = http
        .post(format!("{}/sign-in", w.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={big}"))
        .send()
        .await?;
    assert_eq!(resp.status().as_u16(), 413);
    assert!(resp.headers().contains_key("content-security-policy"));
    assert!(resp.text().await?.contains("The form is too large"));
    let resp = http
        .post(format!("{}/sign-in", w.base))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await?;
    assert!(resp.status().is_client_error());
    let mut b = Browser::new(&w.base);
    assert_eq!(
        b.get("/children/not-a-uuid").await?.location.as_deref(),
        Some("/sign-in"),
        "signed-out users are sent to sign in"
    );
    b.sign_in("teacher@test.invalid").await?;
    assert_eq!(b.get("/children/not-a-uuid").await?.status, 404);
    Ok(())
}

#[tokio::test]
async fn a_demo_shows_its_banner_on_every_page_including_errors() -> Result {
    let mut config = safehub_web::WebConfig::for_tests();
    config.demo = true;
    let w = common::spawn_with(config).await?;
    let mut b = Browser::new(&w.base);
    assert!(b.get("/sign-in").await?.body.contains("app-demo-banner"));
    let missing = b.get("/no-such-page").await?;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("app-demo-banner"));
    b.sign_in("teacher@test.invalid").await?;
    assert!(b.get("/").await?.body.contains("app-demo-banner"));
    Ok(())
}

#[tokio::test]
async fn health_and_metrics_endpoints() -> Result {
    let mut config = safehub_web::WebConfig::for_tests();
    config.metrics_token = Some("metrics-secret".to_owned().into());
    let w = common::spawn_with(config).await?;
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(format!("{}/health/live", w.base))
            .send()
            .await?
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        http.get(format!("{}/health/ready", w.base))
            .send()
            .await?
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        http.get(format!("{}/metrics", w.base))
            .send()
            .await?
            .status()
            .as_u16(),
        404
    );
    let m = http
        .get(format!("{}/metrics", w.base))
        .bearer_auth("metrics-secret")
        .send()
        .await?;
    assert_eq!(m.status().as_u16(), 200);
    assert!(m.text().await?.contains("safehub_http_requests_total"));
    Ok(())
}

#[tokio::test]
async fn shutdown_finishes_requests_and_flushes_the_audit_trail() -> Result {
    // A second server on the same database, stopped on demand.
    let w = spawn().await?;
    let state = safehub_web::AppState::new(
        w.store.clone(),
        safehub_access::Authorizer::new()?,
        safehub_web::WebConfig::for_tests(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(safehub_web::launch(state, listener, async move {
        let _ = stopped.await;
    }));
    let mut b = Browser::new(&base);
    b.sign_in("teacher@test.invalid").await?;
    assert_eq!(
        b.get(&format!("/children/{}", w.school_child))
            .await?
            .status,
        200
    );
    let _ = stop.send(());
    tokio::time::timeout(std::time::Duration::from_secs(10), server).await???;
    // Everything acknowledged before shutdown is in the chain, and the chain is intact.
    let reopened = safehub_store::Store::connect(w.store.url()).await?;
    let seen = reopened
        .audit_for_record(RecordKind::Child, &w.school_child.to_string(), 5)
        .await?;
    assert_eq!(seen.len(), 1);
    assert!(reopened.verify_audit().await?.is_intact());
    Ok(())
}
