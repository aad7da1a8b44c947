-- Every change to a tenant is announced, so that each dlrhub process can keep tenants in
-- memory for the webhook's hot path and still see a disabled integration or rotated
-- credentials at once. The payload is the app_key (old and new, should it ever change).
CREATE FUNCTION notify_tenant_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('dlrhub_tenant_changed', OLD.app_key);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.app_key <> OLD.app_key) THEN
        PERFORM pg_notify('dlrhub_tenant_changed', NEW.app_key);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER tenants_notify_changed
    AFTER INSERT OR UPDATE OR DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed();
