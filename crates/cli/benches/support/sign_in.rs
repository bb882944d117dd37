//! Signing in to the demo region through the real pages, as a browser would (password, then
//! the TOTP code), for the benchmarks that drive the server over HTTP.

use safehub_auth::TotpSecret;

/// What the benchmarks return.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Every demo account's password.
pub const PASSWORD: &str = "safehub-demo-password";
/// Every demo account's authenticator key.
pub const TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The text after `marker` up to the next double quote (an attribute's value).
pub fn field<'a>(body: &'a str, marker: &str) -> &'a str {
    body.find(marker).map_or("", |i| {
        let rest = &body[i + marker.len()..];
        &rest[..rest.find('"').unwrap_or(0)]
    })
}

/// Signs in through the pages, as a browser would, and returns the session cookie.
pub async fn sign_in(http: &reqwest::Client, base: &str, email: &str) -> Result<String> {
    let form = http.get(format!("{base}/sign-in")).send().await?;
    let pre = form
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .to_owned();
    let token = field(&form.text().await?, "name=\"csrf_token\" value=\"").to_owned();
    let body = format!(
        "csrf_token={token}&email={}&password={PASSWORD}",
        email.replace('@', "%40")
    );
    let resp = http
        .post(format!("{base}/sign-in"))
        .header("cookie", &pre)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    let session = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-safehub-session"))
        .ok_or("no session")?;
    let session = session.split(';').next().unwrap_or("").to_owned();
    let page = http
        .get(format!("{base}/sign-in/second-factor"))
        .header("cookie", &session)
        .send()
        .await?
        .text()
        .await?;
    let token = field(&page, "name=\"csrf_token\" value=\"").to_owned();
    let code = TotpSecret::from_base32(TOTP)?.code_at(jiff::Timestamp::now().as_second());
    let done = http
        .post(format!("{base}/sign-in/second-factor"))
        .header("cookie", &session)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf_token={token}&code={code}"))
        .send()
        .await?;
    if done.status().as_u16() != 303 {
        return Err(format!("sign-in of {email} failed: {}", done.status()).into());
    }
    Ok(session)
}
