"""Which content text must read at which school grade (PRODUCT.md, content rules).

What a person reads while moving or answering the screen must read at US grade 6 or below;
explanations and education pages at grade 8 or below. Each item's texts are grouped and
measured together, because the Flesch-Kincaid formula is noisy on a single short sentence.
The grading itself (textstat) is a test-time dependency; this module only says what to grade.
"""

from __future__ import annotations

from collections.abc import Iterator

from psoas.core.content.models import (
    Condition,
    Exercise,
    Limit,
    PregnancyRules,
    Program,
    RedFlag,
    Screening,
    SelfTest,
    Topic,
)

MOVING = 6  # steps, cues, faults, stop signs, screen questions, messages
READING = 8  # explanations and education


def join_sentences(parts: list[str]) -> str:
    return " ".join(p if p.rstrip().endswith((".", "?", "!", ":")) else p + "." for p in parts)


def groups(item: object) -> Iterator[tuple[str, str, int]]:
    """Yield (label, text, highest allowed grade) for one content item."""
    if isinstance(item, Exercise):
        yield "steps", join_sentences(item.steps), MOVING
        yield "cues", join_sentences([*item.cues, item.breathing]), MOVING
        yield "common_faults", join_sentences(item.common_faults), MOVING
        yield "stop_signs", join_sentences(item.stop_signs), MOVING
        yield "summary", join_sentences([item.summary, *item.precautions]), READING
        yield "target_note", item.target_note, READING
        yield "caption", item.illustration.caption, READING
        if not item.coach.coachable:
            yield "coach.why", item.coach.why, MOVING
    elif isinstance(item, SelfTest):
        yield "steps", join_sentences([*item.needs, *item.steps]), MOVING
        yield "record", join_sentences(item.record), MOVING
        yield "stop_signs", join_sentences(item.stop_signs), MOVING
        yield (
            "how_to_read",
            join_sentences([item.purpose, *item.how_to_read, item.limits_of_test]),
            READING,
        )
        yield "caption", item.illustration.caption, READING
    elif isinstance(item, Topic):
        yield "summary", item.summary, READING
        for s in item.sections:
            yield f"section '{s.heading}'", s.body, READING
        for c in item.claims:
            yield f"claim {c.id}", join_sentences([c.claim, c.verdict, c.explanation]), READING
    elif isinstance(item, Screening):
        yield "red flag questions", join_sentences([f.question for f in item.red_flags]), MOVING
        yield "red flag reasons", join_sentences([f.why for f in item.red_flags]), READING
        yield (
            "referral messages",
            join_sentences(
                [m.title + ". " + m.message for m in item.referral_messages]
                + [item.pain_caution, item.min_age_message]
            ),
            MOVING,
        )
    elif isinstance(item, Condition):
        yield "question", item.question, MOVING
        yield (
            "explain",
            join_sentences(
                [item.explain, *(r.reason for r in item.forbids)]
                + ([item.caution] if item.caution else [])
            ),
            READING,
        )
    elif isinstance(item, Limit):
        yield "question", item.question, MOVING
    elif isinstance(item, PregnancyRules):
        yield "cautions", join_sentences([item.caution, item.postpartum_caution]), MOVING
        yield (
            "reasons",
            join_sentences(
                [
                    r.reason
                    for r in (
                        *item.forbids_any_week,
                        *item.forbids_from_supine_week,
                        *item.postpartum_forbids,
                    )
                ]
            ),
            READING,
        )
    elif isinstance(item, Program):
        yield "why", join_sentences([item.summary, *(s.why for s in item.slots)]), READING
    elif isinstance(item, RedFlag):
        yield "question", item.question, MOVING
    else:
        raise TypeError(f"no readability groups for {type(item).__name__}")
