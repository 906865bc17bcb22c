"""A PDF read back as text with poppler's pdftotext (Debian's poppler-utils), for the tests
of the reports that the pages, the jobs and the files serve."""

from __future__ import annotations

import subprocess


def pdf_text(data: bytes, *, layout: bool = False) -> str:
    """The text of a PDF given as its bytes, as `pdftotext [-layout]` reads it; a PDF that
    pdftotext cannot read fails the test."""
    command = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    done = subprocess.run(command, input=data, capture_output=True, check=True, timeout=60)
    return done.stdout.decode()
