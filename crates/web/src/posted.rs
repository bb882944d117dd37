//! A posted form whose CSRF token has been checked. Every state-changing page handler takes
//! its input through [`Posted`], so none can forget the check.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::session::CsrfBinding;

/// A form from a signed-in (or half-signed-in) user, with its CSRF token verified.
pub struct Posted<S, T> {
    /// Who posted it.
    pub who: S,
    /// The fields.
    pub form: T,
    /// Where it came from.
    pub client: Client,
}

#[derive(Deserialize)]
struct TokenOnly {
    #[serde(default)]
    csrf_token: String,
}

impl<S, T> FromRequest<AppState> for Posted<S, T>
where
    S: FromRequestParts<AppState, Rejection = AppError> + CsrfBinding + Send,
    T: DeserializeOwned + Send,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let who = S::from_request_parts(&mut parts, state).await?;
        let Ok(client) = Client::from_request_parts(&mut parts, state).await;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| {
                AppError::BadRequest("The form could not be read (it may be too large).")
            })?;
        let token: TokenOnly = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::BadRequest("The form could not be read."))?;
        if !state
            .config()
            .csrf_key
            .verify(who.binding(), &token.csrf_token)
        {
            crate::guard::record_csrf_rejection(state, &client).await;
            return Err(AppError::CsrfRejected);
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::BadRequest("The form could not be read."))?;
        Ok(Posted { who, form, client })
    }
}
