//! The JSON API: tokens, scopes, the same access rules and audit as the pages.

mod common;

use common::{Result, spawn};
use safehub_auth::Token;
use safehub_store::sessions;

async fn token(w: &common::World, email: &str, scopes: &[&str]) -> Result<(String, String)> {
    let user = w
        .store
        .user_by_email(email)
        .await?
        .ok_or("no service account")?;
    let token = Token::generate_api();
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = w.store.begin().await?;
    sessions::insert_api_token(
        &mut tx,
        &id,
        &token.hash(),
        user.id,
        "test",
        &scopes.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
    )
    .await?;
    tx.commit().await?;
    Ok((id, token.encode()))
}

#[tokio::test]
async fn the_api_needs_a_live_token_with_the_right_scope() -> Result {
    let w = spawn().await?;
    let http = reqwest::Client::new();
    let none = http
        .get(format!("{}/api/v1/children", w.base))
        .send()
        .await?;
    assert_eq!(none.status().as_u16(), 401);
    let body: serde_json::Value = none.json().await?;
    assert_eq!(body["error"], "unauthorized");
    let (_, narrow) = token(&w, "service@test.invalid", &["other:read"]).await?;
    let wrong_scope = http
        .get(format!("{}/api/v1/children", w.base))
        .bearer_auth(&narrow)
        .send()
        .await?;
    assert_eq!(wrong_scope.status().as_u16(), 403);
    let (id, full) = token(&w, "service@test.invalid", &["children:read"]).await?;
    let list: serde_json::Value = http
        .get(format!("{}/api/v1/children", w.base))
        .bearer_auth(&full)
        .send()
        .await?
        .json()
        .await?;
    let names: Vec<&str> = list
        .as_array()
        .ok_or("not a list")?
        .iter()
        .filter_map(|c| c["given_name"].as_str())
        .collect();
    assert!(names.contains(&"Alpha"));
    assert!(
        !names.contains(&"Bravo"),
        "a child of another area is not listed"
    );
    let mut tx = w.store.begin().await?;
    assert!(sessions::revoke_api_token(&mut tx, &id).await?);
    tx.commit().await?;
    let revoked = http
        .get(format!("{}/api/v1/children", w.base))
        .bearer_auth(&full)
        .send()
        .await?;
    assert_eq!(revoked.status().as_u16(), 401);
    Ok(())
}

#[tokio::test]
async fn the_api_applies_the_same_rules_and_audit_as_the_pages() -> Result {
    let w = spawn().await?;
    let http = reqwest::Client::new();
    let (_, t) = token(&w, "police.service@test.invalid", &["children:read"]).await?;
    let restricted: serde_json::Value = http
        .get(format!("{}/api/v1/children/{}", w.base, w.restricted_child))
        .bearer_auth(&t)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(restricted["given_name"], "Charlie");
    let other = http
        .get(format!("{}/api/v1/children/{}", w.base, w.school_child))
        .bearer_auth(&t)
        .send()
        .await?;
    assert_eq!(other.status().as_u16(), 404);
    let body: serde_json::Value = other.json().await?;
    assert_eq!(body["error"], "not_found");
    let audited = w
        .store
        .audit_for_record(
            safehub_store::audit::RecordKind::Child,
            &w.school_child.to_string(),
            5,
        )
        .await?;
    assert_eq!(audited.len(), 1);
    assert_eq!(
        audited[0].entry.entry.outcome,
        safehub_store::AuditOutcome::Refused
    );
    Ok(())
}

#[tokio::test]
async fn auditors_and_administrators_read_their_resources_through_the_api() -> Result {
    let w = spawn().await?;
    let http = reqwest::Client::new();
    // A view to find in the trail.
    let (_, reader) = token(&w, "service@test.invalid", &["children:read"]).await?;
    http.get(format!("{}/api/v1/children/{}", w.base, w.school_child))
        .bearer_auth(&reader)
        .send()
        .await?;
    let (_, audit) = token(&w, "audit.service@test.invalid", &["audit:read"]).await?;
    let seen: serde_json::Value = http
        .get(format!(
            "{}/api/v1/children/{}/access",
            w.base, w.school_child
        ))
        .bearer_auth(&audit)
        .send()
        .await?
        .json()
        .await?;
    let seen = seen.as_array().ok_or("not a list")?;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["outcome"], "allowed");
    // The reader's token cannot read the trail, and an auditor's token cannot list accounts.
    let refused = http
        .get(format!(
            "{}/api/v1/children/{}/access",
            w.base, w.school_child
        ))
        .bearer_auth(&reader)
        .send()
        .await?;
    assert_eq!(refused.status().as_u16(), 403);
    let (_, audit_wide) = token(
        &w,
        "audit.service@test.invalid",
        &["audit:read", "accounts:read"],
    )
    .await?;
    let not_admin = http
        .get(format!("{}/api/v1/accounts", w.base))
        .bearer_auth(&audit_wide)
        .send()
        .await?;
    assert_eq!(not_admin.status().as_u16(), 404);
    let (_, admin) = token(&w, "admin.service@test.invalid", &["accounts:read"]).await?;
    let list: serde_json::Value = http
        .get(format!("{}/api/v1/accounts", w.base))
        .bearer_auth(&admin)
        .send()
        .await?
        .json()
        .await?;
    let emails: Vec<&str> = list
        .as_array()
        .ok_or("not a list")?
        .iter()
        .filter_map(|a| a["email"].as_str())
        .collect();
    assert!(emails.contains(&"teacher@test.invalid"));
    assert!(
        !emails.contains(&"south.teacher@test.invalid"),
        "accounts of other areas are not listed"
    );
    Ok(())
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() -> Result {
    let w = spawn().await?;
    let doc: serde_json::Value = reqwest::get(format!("{}/api/v1/openapi.json", w.base))
        .await?
        .json()
        .await?;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/api/v1/me",
        "/api/v1/children",
        "/api/v1/children/{id}",
        "/api/v1/children/{id}/access",
        "/api/v1/accounts",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    let unknown = reqwest::get(format!("{}/api/v1/nothing", w.base)).await?;
    assert_eq!(unknown.status().as_u16(), 404);
    Ok(())
}
