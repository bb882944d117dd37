//! Sessions: the cookie, the checks on every request (idle and absolute time-outs, disabled
//! accounts, second factor) and the signed-in user that handlers receive.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use safehub_access::Principal;
use safehub_store::organisations::Agency;
use safehub_store::sessions::Session;
use safehub_store::users::User;

use crate::AppState;
use crate::error::AppError;
use crate::layout::{Layout, navigation};

/// The session cookie. `__Host-` makes browsers insist on Secure, Path=/ and no Domain.
pub const SESSION_COOKIE: &str = "__Host-safehub-session";
/// The pre-session cookie that binds the sign-in form's CSRF token.
pub const PRE_SESSION_COOKIE: &str = "__Host-safehub-pre";

/// Reads a cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value for one of our cookies: HttpOnly, Secure, SameSite=Strict, Path=/.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<u64>) -> String {
    let age = max_age_secs.map_or(String::new(), |s| format!("; Max-Age={s}"));
    format!("{name}={value}; Path=/; HttpOnly; Secure; SameSite=Strict{age}")
}

/// A `Set-Cookie` value that removes a cookie.
pub fn clear_cookie(name: &str) -> String {
    format!("{name}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
}

/// A user who has passed both factors, with what the access policies need.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The hash of the session token (the CSRF binding).
    pub session_hash: String,
    /// The account.
    pub user: User,
    /// Their agency.
    pub agency: Agency,
    /// The access-policy principal.
    pub principal: Principal,
}

/// A user who gave the right password but not yet the second factor.
#[derive(Clone, Debug)]
pub struct PendingSecondFactor {
    /// The hash of the session token.
    pub session_hash: String,
    /// The account.
    pub user: User,
}

/// A session that has ended, timed out or belongs to a disabled account is ended for good.
async fn live_session(parts: &Parts, state: &AppState) -> Result<(Session, User), AppError> {
    let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(AppError::SignInRequired)?;
    let hash = safehub_auth::token_hash(token);
    let (session, user) = state
        .store()
        .session_with_user(&hash)
        .await?
        .ok_or(AppError::SignInRequired)?;
    if session.ended_at.is_some() {
        return Err(AppError::SignInRequired);
    }
    let now = safehub_store::now_ms();
    let cfg = state.config();
    let idle = i64::try_from(cfg.session_idle.as_millis()).unwrap_or(i64::MAX);
    let absolute = i64::try_from(cfg.session_absolute.as_millis()).unwrap_or(i64::MAX);
    if now - session.last_seen_at > idle
        || now - session.created_at > absolute
        || user.disabled_at.is_some()
    {
        let mut tx = state.store().begin().await?;
        safehub_store::sessions::end_session(&mut tx, &hash).await?;
        tx.commit().await?;
        return Err(if user.disabled_at.is_some() {
            AppError::SignInRequired
        } else {
            AppError::SessionExpired
        });
    }
    // Writing on every request would make every page view a write; a minute is precise
    // enough for an idle time-out measured in tens of minutes.
    if now - session.last_seen_at > 60_000 {
        state.store().touch_session(&hash).await?;
    }
    Ok((session, user))
}

/// Builds the policy principal for a user.
pub async fn principal_for(state: &AppState, user: &User) -> Result<(Agency, Principal), AppError> {
    let agency = state.directory().agency(state.store(), user.agency).await?;
    let principal = Principal {
        user: user.id,
        agency: agency.id,
        agency_kind: agency.kind,
        areas: agency.areas.clone(),
        roles: user.roles.clone(),
    };
    Ok((agency, principal))
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (session, user) = live_session(parts, state).await?;
        if session.second_factor_at.is_none() {
            return Err(AppError::SecondFactorRequired);
        }
        let (agency, principal) = principal_for(state, &user).await?;
        Ok(SignedIn {
            session_hash: session.token_hash,
            user,
            agency,
            principal,
        })
    }
}

impl FromRequestParts<AppState> for PendingSecondFactor {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (session, user) = live_session(parts, state).await?;
        if session.second_factor_at.is_some() {
            return Err(AppError::BadRequest("You are already signed in."));
        }
        Ok(PendingSecondFactor {
            session_hash: session.token_hash,
            user,
        })
    }
}

impl SignedIn {
    /// The page frame for this user.
    pub fn layout(&self, state: &AppState, title: &str, current: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            demo: state.config().demo,
            user: Some((self.user.display_name.clone(), self.agency.name.clone())),
            csrf: state.config().csrf_key.token_for(&self.session_hash),
            nav: navigation(&self.user.roles, current),
            errors: Vec::new(),
        }
    }
}

/// Something a form's CSRF token is bound to.
pub trait CsrfBinding {
    /// The value the token is derived from.
    fn binding(&self) -> &str;
}

impl CsrfBinding for SignedIn {
    fn binding(&self) -> &str {
        &self.session_hash
    }
}

impl CsrfBinding for PendingSecondFactor {
    fn binding(&self) -> &str {
        &self.session_hash
    }
}
