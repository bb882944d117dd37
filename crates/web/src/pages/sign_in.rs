//! Signing in: password, then the TOTP second factor (enrolled with a QR code at first
//! sign-in, with recovery codes), throttling, and signing out.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use safehub_auth::{ExposeSecret, SecretString, Token, TotpProblem, TotpSecret};
use safehub_store::audit::RecordKind;
use safehub_store::users::User;
use safehub_store::{AuditAction, AuditOutcome, NewAuditEntry, sessions, users};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{render, render_invalid};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::layout::Layout;
use crate::posted::Posted;
use crate::session::{
    PRE_SESSION_COOKIE, PendingSecondFactor, SESSION_COOKIE, SignedIn, clear_cookie, cookie,
    set_cookie,
};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    csrf: String,
    email: String,
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    layout: Layout,
    csrf: String,
    heading: &'static str,
    action: &'static str,
    label: &'static str,
    hint: &'static str,
    qr_svg: Option<String>,
    setup_key: Option<String>,
    show_recovery_link: bool,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryCodesPage {
    layout: Layout,
    codes: Vec<String>,
}

/// The sign-in form's fields.
#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// Why the sign-in page is shown, when a session ended.
#[derive(Deserialize)]
pub struct SignInQuery {
    #[serde(rename = "timed-out")]
    timed_out: Option<String>,
}

/// A second-factor code.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// A form with only its CSRF token.
#[derive(Deserialize)]
pub struct EmptyForm {}

const LOCKED_MESSAGE: &str = "There have been too many attempts to sign in with these details. Wait 15 minutes, then try again.";

fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The throttle key for an email: a hash, so the table names no one, and the same for known
/// and unknown addresses.
fn throttle_key(email: &str) -> String {
    hex::encode(Sha256::digest(
        format!("sign-in:{}", normalise_email(email)).as_bytes(),
    ))
}

fn sign_in_entry(
    user: Option<&User>,
    action: AuditAction,
    outcome: AuditOutcome,
    client: &Client,
    detail: serde_json::Value,
) -> NewAuditEntry {
    NewAuditEntry {
        actor_user: user.map(|u| u.id.to_string()),
        actor_role: user.map_or("anonymous".to_owned(), |u| {
            u.roles
                .iter()
                .map(|r| r.code())
                .collect::<Vec<_>>()
                .join(",")
        }),
        actor_agency: user.map(|u| u.agency.to_string()),
        action,
        record_kind: RecordKind::Session,
        record_id: None,
        outcome,
        policies: String::new(),
        client: client.0.clone(),
        detail,
    }
}

fn sign_in_page(
    state: &AppState,
    binding: &str,
    email: &str,
    notice: Option<&'static str>,
) -> SignInPage {
    let mut layout = Layout::bare("Sign in");
    layout.demo = state.config().demo;
    SignInPage {
        layout,
        csrf: state.config().csrf_key.token_for(binding),
        email: email.to_owned(),
        notice,
    }
}

/// GET /sign-in: the form, with a pre-session cookie binding its CSRF token.
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<SignInQuery>,
) -> Result<Response, AppError> {
    let (pre, fresh) = match cookie(&headers, PRE_SESSION_COOKIE) {
        Some(v) if v.len() >= 32 => (v.to_owned(), false),
        _ => (Token::generate().encode(), true),
    };
    let notice = q.timed_out.is_some().then_some(
        "You were signed out because you had not used Safehub for a while. Sign in again to continue.",
    );
    let mut response = render(&sign_in_page(&state, &pre, "", notice))?;
    if fresh {
        let value = set_cookie(PRE_SESSION_COOKIE, &pre, None);
        response.headers_mut().append(
            header::SET_COOKIE,
            value
                .parse()
                .map_err(|_| AppError::Internal("cookie".into()))?,
        );
    }
    Ok(response)
}

/// POST /sign-in: checks the password (or a dummy, for unknown accounts) and starts a
/// session that still needs the second factor.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: Client,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let pre = cookie(&headers, PRE_SESSION_COOKIE)
        .unwrap_or_default()
        .to_owned();
    if !state.config().csrf_key.verify(&pre, &form.csrf_token) {
        crate::guard::record_csrf_rejection(&state, &client).await;
        return Err(AppError::CsrfRejected);
    }
    let email = normalise_email(&form.email);
    let mut page = sign_in_page(&state, &pre, form.email.trim(), None);
    if email.is_empty() {
        page.layout.error("email", "Enter your email address");
    } else if !email.contains('@') {
        page.layout.error(
            "email",
            "Enter an email address in the correct format, like name@example.org",
        );
    }
    if form.password.is_empty() {
        page.layout.error("password", "Enter your password");
    }
    if page.layout.has_errors() {
        return render_invalid(&page);
    }
    let store = state.store();
    let key = throttle_key(&email);
    let now = safehub_store::now_ms();
    if store.throttle_locked_until(&key, now).await?.is_some() {
        store
            .record(sign_in_entry(
                None,
                AuditAction::SignInThrottled,
                AuditOutcome::Refused,
                &client,
                serde_json::json!({}),
            ))
            .await?;
        page.layout.error("email", LOCKED_MESSAGE);
        return render_invalid(&page);
    }
    let user = store.user_by_email(&email).await?;
    let usable = user
        .as_ref()
        .filter(|u| u.disabled_at.is_none() && !u.is_service_account);
    let password = SecretString::from(form.password);
    // Always run Argon2, against a dummy hash when there is no usable account, so the time
    // taken does not say whether the account exists.
    let ok = state
        .config()
        .password_hasher
        .verify(&password, usable.map(|u| u.password_hash.as_str()));
    let Some(user) = usable.filter(|_| ok) else {
        let locked = store
            .throttle_failure(&key, now, state.config().throttle)
            .await?;
        store
            .record(sign_in_entry(
                user.as_ref(),
                AuditAction::SignInFailed,
                AuditOutcome::Refused,
                &client,
                serde_json::json!({ "factor": "password" }),
            ))
            .await?;
        if locked.is_some() {
            page.layout.error("email", LOCKED_MESSAGE);
        } else {
            page.layout
                .error("email", "Enter a correct email address and password");
        }
        return render_invalid(&page);
    };
    if state
        .config()
        .password_hasher
        .needs_rehash(&user.password_hash)
    {
        let fresh = state.config().password_hasher.hash(&password)?;
        let mut tx = store.begin().await?;
        users::set_password_hash(&mut tx, user.id, &fresh).await?;
        tx.commit().await?;
    }
    // A new token at every sign-in, so a session id planted before sign-in is worthless.
    let token = Token::generate();
    let mut tx = store.begin().await?;
    sessions::create_session(&mut tx, &token.hash(), user.id).await?;
    tx.commit().await?;
    let next = if user.totp_enrolled {
        "/sign-in/second-factor"
    } else {
        "/sign-in/enrol"
    };
    let mut response = Redirect::to(next).into_response();
    let h = response.headers_mut();
    let bad = |_| AppError::Internal("cookie".into());
    h.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token.encode(), None)
            .parse()
            .map_err(bad)?,
    );
    h.append(
        header::SET_COOKIE,
        clear_cookie(PRE_SESSION_COOKIE).parse().map_err(bad)?,
    );
    Ok(response)
}

fn code_page(state: &AppState, who: &PendingSecondFactor) -> SecondFactorPage {
    let mut layout = Layout::bare("Enter your security code");
    layout.demo = state.config().demo;
    SecondFactorPage {
        layout,
        csrf: state.config().csrf_key.token_for(&who.session_hash),
        heading: "Enter your security code",
        action: "/sign-in/second-factor",
        label: "Security code",
        hint: "The 6-digit code shown in your authenticator app.",
        qr_svg: None,
        setup_key: None,
        show_recovery_link: true,
    }
}

/// GET /sign-in/second-factor.
pub async fn second_factor_form(
    State(state): State<AppState>,
    who: PendingSecondFactor,
) -> Result<Response, AppError> {
    if !who.user.totp_enrolled {
        return Ok(Redirect::to("/sign-in/enrol").into_response());
    }
    render(&code_page(&state, &who))
}

/// Completes sign-in after a correct second factor.
async fn finish(
    state: &AppState,
    who: &PendingSecondFactor,
    client: &Client,
    how: &str,
) -> Result<(), AppError> {
    let store = state.store();
    let mut tx = store.begin().await?;
    sessions::complete_second_factor(&mut tx, &who.session_hash).await?;
    safehub_store::audit::append(
        &mut tx,
        &[sign_in_entry(
            Some(&who.user),
            AuditAction::SignIn,
            AuditOutcome::Allowed,
            client,
            serde_json::json!({ "second_factor": how }),
        )],
    )
    .await?;
    tx.commit().await?;
    store.throttle_clear(&throttle_key(&who.user.email)).await?;
    Ok(())
}

/// Counts a wrong second factor against the account, ending the session when it locks.
async fn second_factor_failed(
    state: &AppState,
    who: &PendingSecondFactor,
    client: &Client,
    why: &str,
) -> Result<bool, AppError> {
    let store = state.store();
    let locked = store
        .throttle_failure(
            &throttle_key(&who.user.email),
            safehub_store::now_ms(),
            state.config().throttle,
        )
        .await?;
    let mut tx = store.begin().await?;
    safehub_store::audit::append(
        &mut tx,
        &[sign_in_entry(
            Some(&who.user),
            AuditAction::SignInFailed,
            AuditOutcome::Refused,
            client,
            serde_json::json!({ "factor": why }),
        )],
    )
    .await?;
    if locked.is_some() {
        sessions::end_session(&mut tx, &who.session_hash).await?;
    }
    tx.commit().await?;
    Ok(locked.is_some())
}

fn totp_message(problem: TotpProblem) -> &'static str {
    match problem {
        TotpProblem::Malformed => "Enter the 6-digit security code from your authenticator app",
        TotpProblem::Reused => {
            "That code has already been used. Wait for the next code and enter it"
        }
        TotpProblem::Wrong => {
            "The security code is not correct. Check your app and enter the current code"
        }
    }
}

/// POST /sign-in/second-factor.
pub async fn second_factor_submit(
    State(state): State<AppState>,
    posted: Posted<PendingSecondFactor, CodeForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let secret = who
        .user
        .totp_secret
        .as_deref()
        .ok_or(AppError::SignInRequired)?;
    let secret = TotpSecret::from_base32(secret)?;
    let now = jiff::Timestamp::now().as_second();
    let outcome = match secret.verify(&form.code, now, who.user.totp_last_step) {
        Ok(step) => {
            let mut tx = state.store().begin().await?;
            let fresh = users::use_totp_step(&mut tx, who.user.id, step).await?;
            tx.commit().await?;
            if fresh {
                Ok(())
            } else {
                Err(TotpProblem::Reused)
            }
        }
        Err(p) => Err(p),
    };
    match outcome {
        Ok(()) => {
            finish(&state, &who, &client, "totp").await?;
            Ok(Redirect::to("/").into_response())
        }
        Err(problem) => {
            if second_factor_failed(&state, &who, &client, "totp").await? {
                return Ok(Redirect::to("/sign-in").into_response());
            }
            let mut page = code_page(&state, &who);
            page.layout.error("code", totp_message(problem));
            render_invalid(&page)
        }
    }
}

fn enrol_page(
    state: &AppState,
    who: &PendingSecondFactor,
    secret: &TotpSecret,
) -> Result<SecondFactorPage, AppError> {
    let uri = secret.otpauth_uri("Safehub", &who.user.email);
    let mut layout = Layout::bare("Set up your second factor");
    layout.demo = state.config().demo;
    let key = secret.to_base32();
    let grouped = key
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(SecondFactorPage {
        layout,
        csrf: state.config().csrf_key.token_for(&who.session_hash),
        heading: "Set up your second factor",
        action: "/sign-in/enrol",
        label: "Security code from your app",
        hint: "After adding Safehub to your app, enter the 6-digit code it shows.",
        qr_svg: Some(safehub_auth::totp::qr_svg(&uri)?),
        setup_key: Some(grouped),
        show_recovery_link: false,
    })
}

/// GET /sign-in/enrol: a new secret (kept until confirmed) shown as a QR code and a key.
pub async fn enrol_form(
    State(state): State<AppState>,
    who: PendingSecondFactor,
) -> Result<Response, AppError> {
    if who.user.totp_enrolled {
        return Ok(Redirect::to("/sign-in/second-factor").into_response());
    }
    let secret = match who.user.totp_secret.as_deref().map(TotpSecret::from_base32) {
        Some(Ok(existing)) => existing,
        _ => {
            let fresh = TotpSecret::generate();
            let mut tx = state.store().begin().await?;
            users::begin_totp_enrolment(&mut tx, who.user.id, &fresh.to_base32()).await?;
            tx.commit().await?;
            fresh
        }
    };
    render(&enrol_page(&state, &who, &secret)?)
}

/// POST /sign-in/enrol: confirms the app works, issues recovery codes, finishes sign-in.
pub async fn enrol_submit(
    State(state): State<AppState>,
    posted: Posted<PendingSecondFactor, CodeForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    if who.user.totp_enrolled {
        return Ok(Redirect::to("/sign-in/second-factor").into_response());
    }
    let secret = who
        .user
        .totp_secret
        .as_deref()
        .ok_or(AppError::BadRequest("Start the set-up again."))?;
    let secret = TotpSecret::from_base32(secret)?;
    let now = jiff::Timestamp::now().as_second();
    let step = match secret.verify(&form.code, now, who.user.totp_last_step) {
        Ok(step) => step,
        Err(problem) => {
            second_factor_failed(&state, &who, &client, "enrolment").await?;
            let mut page = enrol_page(&state, &who, &secret)?;
            page.layout.error("code", totp_message(problem));
            return render_invalid(&page);
        }
    };
    let codes = safehub_auth::generate_recovery_codes(safehub_auth::recovery::RECOVERY_CODE_COUNT);
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| safehub_auth::hash_recovery_code(c.expose_secret()))
        .collect();
    let mut tx = state.store().begin().await?;
    if !users::use_totp_step(&mut tx, who.user.id, step).await? {
        return Err(AppError::BadRequest(
            "That code has already been used. Start the set-up again.",
        ));
    }
    users::replace_recovery_codes(&mut tx, who.user.id, &hashes).await?;
    safehub_store::audit::append(
        &mut tx,
        &[sign_in_entry(
            Some(&who.user),
            AuditAction::EnrolSecondFactor,
            AuditOutcome::Allowed,
            &client,
            serde_json::json!({}),
        )],
    )
    .await?;
    tx.commit().await?;
    finish(&state, &who, &client, "totp").await?;
    let mut layout = Layout::bare("Second factor set up");
    layout.demo = state.config().demo;
    render(&RecoveryCodesPage {
        layout,
        codes: codes.iter().map(|c| c.expose_secret().to_owned()).collect(),
    })
}

fn recovery_page(state: &AppState, who: &PendingSecondFactor) -> SecondFactorPage {
    let mut page = code_page(state, who);
    page.layout.title = "Use a recovery code".into();
    page.heading = "Use a recovery code";
    page.action = "/sign-in/recovery-code";
    page.label = "Recovery code";
    page.hint =
        "One of the codes you were given when you set up your second factor, like abcd-efgh-jkmn.";
    page.show_recovery_link = false;
    page
}

/// GET /sign-in/recovery-code.
pub async fn recovery_form(
    State(state): State<AppState>,
    who: PendingSecondFactor,
) -> Result<Response, AppError> {
    render(&recovery_page(&state, &who))
}

/// POST /sign-in/recovery-code: spends one recovery code.
pub async fn recovery_submit(
    State(state): State<AppState>,
    posted: Posted<PendingSecondFactor, CodeForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let hash = safehub_auth::hash_recovery_code(&form.code);
    let mut tx = state.store().begin().await?;
    let spent = users::use_recovery_code(&mut tx, who.user.id, &hash).await?;
    tx.commit().await?;
    if spent {
        finish(&state, &who, &client, "recovery_code").await?;
        return Ok(Redirect::to("/").into_response());
    }
    if second_factor_failed(&state, &who, &client, "recovery_code").await? {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    let mut page = recovery_page(&state, &who);
    page.layout.error(
        "code",
        "The recovery code is not correct or has already been used",
    );
    render_invalid(&page)
}

/// POST /sign-out: ends the session.
pub async fn sign_out(
    State(state): State<AppState>,
    posted: Posted<SignedIn, EmptyForm>,
) -> Result<Response, AppError> {
    let Posted { who, client, .. } = posted;
    let mut tx = state.store().begin().await?;
    sessions::end_session(&mut tx, &who.session_hash).await?;
    let e = crate::guard::entry(
        &who.principal,
        AuditAction::SignOut,
        RecordKind::Session,
        None,
        None,
        &client,
        serde_json::json!({}),
    );
    safehub_store::audit::append(&mut tx, &[e]).await?;
    tx.commit().await?;
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        clear_cookie(SESSION_COOKIE)
            .parse()
            .map_err(|_| AppError::Internal("cookie".into()))?,
    );
    Ok(response)
}
