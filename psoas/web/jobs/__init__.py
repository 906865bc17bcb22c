"""The task queue's tables that psoas owns (the idempotency keys of jobs that ran, and the
files jobs make) and the view that hands a person their files. The queue itself is
Procrastinate's (psoas/jobs)."""
