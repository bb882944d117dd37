-- PostgreSQL: the audit trail cannot be updated, deleted or truncated, by trigger for every
-- role, and by privilege for application roles (see `safehub migrate --app-role`).
CREATE FUNCTION safehub_audit_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries cannot be changed or deleted';
END;
$$;

CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION safehub_audit_immutable();

CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION safehub_audit_immutable();

REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM PUBLIC;
