//! The policies load, validate strictly against the schema, and every policy file is embedded.

use std::collections::HashSet;

use safehub_access::{AccessError, Authorizer, POLICY_SOURCES, SCHEMA_SOURCE};

#[test]
fn embedded_policies_validate_strictly_against_the_schema() {
    // Architecture: "policies are validated against a schema in CI". Authorizer::new runs
    // Cedar's strict validation and refuses warnings as well as errors.
    let authorizer = Authorizer::new().expect("the embedded policies validate");
    assert!(!authorizer.policy_ids().is_empty());
}

#[test]
fn a_policy_naming_an_unknown_attribute_fails_validation() {
    let bad = "@id(\"reads-a-made-up-attribute\")\n\
               permit (principal, action == Action::\"View\", resource is Child)\n\
               when { resource.favourite_colour == \"blue\" };";
    let mut sources = POLICY_SOURCES.to_vec();
    sources.push(("bad.cedar", bad));
    match Authorizer::from_sources(SCHEMA_SOURCE, &sources) {
        Err(AccessError::Validation(problems)) => {
            assert!(
                problems.iter().any(|p| p.contains("favourite_colour")),
                "the problem names the attribute: {problems:?}"
            );
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn a_policy_naming_an_unknown_principal_attribute_or_action_fails_validation() {
    for bad in [
        "@id(\"x\") permit (principal, action, resource) when { principal.clearance == 3 };",
        "@id(\"x\") permit (principal, action == Action::\"Delete\", resource);",
        "@id(\"x\") permit (principal is Child, action, resource);",
    ] {
        let sources = [("bad.cedar", bad)];
        assert!(
            matches!(
                Authorizer::from_sources(SCHEMA_SOURCE, &sources),
                Err(AccessError::Validation(_))
            ),
            "{bad} must not validate"
        );
    }
}

#[test]
fn every_policy_needs_a_unique_id() {
    // Decision::policies names policies by @id for the audit entry, so ids are mandatory.
    let unnamed = [("a.cedar", "permit (principal, action, resource is Child);")];
    assert!(matches!(
        Authorizer::from_sources(SCHEMA_SOURCE, &unnamed),
        Err(AccessError::MissingId { .. })
    ));
    let twice = [
        (
            "a.cedar",
            "@id(\"same\") permit (principal, action, resource is Child);",
        ),
        (
            "b.cedar",
            "@id(\"same\") permit (principal, action, resource is Section);",
        ),
    ];
    assert_eq!(
        Authorizer::from_sources(SCHEMA_SOURCE, &twice).err(),
        Some(AccessError::DuplicateId("same".into()))
    );
}

#[test]
fn every_policy_file_in_the_policies_folder_is_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let on_disk: HashSet<String> = std::fs::read_dir(&dir)
        .expect("policies folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".cedar"))
        .collect();
    let embedded: HashSet<String> = POLICY_SOURCES
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    assert_eq!(on_disk, embedded);
}

#[test]
fn every_policy_has_a_comment_citing_a_requirement() {
    // Each policy says why, citing the requirement (R...), in the comment right above it.
    let mut checked = 0;
    for (file, text) in POLICY_SOURCES {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.trim_start().starts_with("@id(") {
                continue;
            }
            let comment: Vec<&str> = lines[..i]
                .iter()
                .rev()
                .take_while(|l| l.trim_start().starts_with("//"))
                .copied()
                .collect();
            assert!(
                comment
                    .iter()
                    .any(|l| l.contains(" R") && l.chars().any(|c| c.is_ascii_digit())),
                "{file}: {line} needs a comment citing a requirement"
            );
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        Authorizer::new().expect("valid").policy_ids().len()
    );
}

#[test]
fn the_authorizer_can_be_shared_between_threads() {
    fn shared<T: Clone + Send + Sync + 'static>() {}
    shared::<Authorizer>();
}
