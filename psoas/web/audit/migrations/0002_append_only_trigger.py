"""On PostgreSQL the database itself refuses to change or delete an audit row (a trigger
on UPDATE and DELETE), so not even SQL sent around the app's models rewrites the trail.
TRUNCATE (Django's flush: local mode's "delete everything", the test suite) empties the
table as a whole. SQLite (local mode, no staff) has no trail rows and no trigger."""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_trail_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END
$$;
CREATE TRIGGER audit_trail_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_trail_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_trail_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_trail_refuse_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
