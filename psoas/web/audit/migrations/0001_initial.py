from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("actor_id", models.IntegerField(db_index=True, null=True)),
                ("actor", models.CharField(max_length=254)),
                ("clinic_id", models.IntegerField(db_index=True, null=True)),
                ("patient", models.CharField(blank=True, db_index=True, max_length=32)),
                ("record", models.CharField(max_length=64)),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("view", "viewed"),
                            ("change", "changed"),
                            ("download", "downloaded"),
                            ("export", "exported the audit trail"),
                            ("delete", "deleted"),
                        ],
                        max_length=16,
                    ),
                ),
                ("route", models.CharField(blank=True, max_length=100)),
                ("address", models.GenericIPAddressField(null=True)),
            ],
            options={"ordering": ["-at", "-id"]},
        ),
    ]
