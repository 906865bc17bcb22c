"""One row of the audit trail: who did what to which patient's records, when and from
where. Append-only: the app has no page that edits or deletes a row, and the model itself
refuses an update or a delete (a row, or a query of rows), so a bug cannot rewrite it.

It holds no health data: the patient's public id, the kind of record (a model's or a
page's name), the action, the route and the address. No foreign keys either: the rows
outlive the patient's and the staff member's accounts (docs/clinic.md, "What the clinic
keeps"), and a delete elsewhere never cascades into the trail."""

from __future__ import annotations

from django.db import models


class TrailIsAppendOnly(RuntimeError):
    """Someone tried to change or delete an audit row."""


class Action(models.TextChoices):
    VIEW = "view", "viewed"
    CHANGE = "change", "changed"
    DOWNLOAD = "download", "downloaded"
    EXPORT = "export", "exported the audit trail"
    DELETE = "delete", "deleted"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TrailIsAppendOnly("the audit trail cannot be changed")

    def delete(self):
        raise TrailIsAppendOnly("the audit trail cannot be deleted")


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # who: the user's id and login name as they were (the account may go later)
    actor_id = models.IntegerField(null=True, db_index=True)
    actor = models.CharField(max_length=254)
    # whose clinic: the patient's, or for a list page, empty (shown to the admins of the
    # staff member's clinics)
    clinic_id = models.IntegerField(null=True, db_index=True)
    patient = models.CharField(max_length=32, blank=True, db_index=True)  # public id
    record = models.CharField(max_length=64)  # the kind of record: a model or a page
    action = models.CharField(max_length=16, choices=Action.choices)
    route = models.CharField(max_length=100, blank=True)  # the URL pattern's name
    address = models.GenericIPAddressField(null=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TrailIsAppendOnly("the audit trail cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TrailIsAppendOnly("the audit trail cannot be deleted")
