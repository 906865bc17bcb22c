"""The profile: read the latest, save a new version, list them all. The body is checked by
the core's own profile model, so the API accepts exactly what `psoas plan --profile` does."""

from __future__ import annotations

from ninja import Router
from ninja.errors import HttpError

from psoas.core.profile import profile_model
from psoas.web.api.common import BODY_ERRORS, answers
from psoas.web.api.schemas import ProfileOut
from psoas.web.programs.models import ProfileVersion
from psoas.web.programs.services import save_profile
from psoas.web.site.people import person_for

router = Router(tags=["profile"])
Profile = profile_model()


def _out(v: ProfileVersion) -> dict:
    return {"version": v.version, "created_at": v.created_at, "profile": v.data}


@router.get("/profile", response=answers(ProfileOut, 404))
def get_profile(request):
    latest = person_for(request).profiles.order_by("-version").first()
    if latest is None:
        raise HttpError(404, "profile: none saved yet; PUT /api/profile first")
    return _out(latest)


@router.put("/profile", response=answers(ProfileOut, *BODY_ERRORS))
def put_profile(request, profile: Profile):  # type: ignore[valid-type]
    """Every change is a new version; plans keep pointing at the version that made them."""
    data = profile.model_dump(mode="json", by_alias=True, exclude_none=True)
    return _out(save_profile(person_for(request), data))


@router.get("/profile/versions", response=answers(list[ProfileOut]))
def profile_versions(request):
    return [_out(v) for v in person_for(request).profiles.order_by("version")]
