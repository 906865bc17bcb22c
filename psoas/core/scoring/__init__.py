"""Outcomes: questionnaire scores, change against the baseline, adherence and streaks.

Pure functions over plain values; the store and the shells (CLI, web) call them so that a
score, a streak or a "meaningful change" means the same everywhere.
"""
