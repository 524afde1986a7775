"""The Word files isp-rules writes, read as a person reads them: the text python-docx sees, and
the file opened by LibreOffice, printed to PDF and pictured as PNG pages (kept as test output)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

__all__ = ["printed_text", "word_text"]


def word_text(path: Path) -> str:
    """Every paragraph and table cell of a Word file, one a line."""
    import docx

    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _converters() -> tuple[str, str, str]:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    ppm, text = shutil.which("pdftoppm"), shutil.which("pdftotext")
    missing = [n for n, found in (("LibreOffice (soffice)", office), ("pdftoppm", ppm), ("pdftotext", text))
               if not found]
    if missing:
        reason = (f"{' and '.join(missing)} not installed here, so the Word files cannot be converted to PDF and PNG "
                  "(apt-get install libreoffice-writer-nogui poppler-utils)")
        if os.environ.get("ISP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the Word conversion test is required here (ISP_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(reason)
    return office, ppm, text  # type: ignore[return-value]


def printed_text(docx_file: Path, work: Path, output: str) -> str:
    """The Word file converted to PDF by LibreOffice, its text as one line (whitespace collapsed);
    the PDF and its pages as PNG (pdftoppm) kept in the test output folder `output`. Skips, or
    fails when ISP_REQUIRE_BROWSER=1, where the converters are not installed."""
    office, ppm, pdftext = _converters()
    # A profile of its own, so a LibreOffice already open (or another test run) does not block it.
    profile = (work / "lo-profile").as_uri()
    subprocess.run([office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work), str(docx_file)], check=True, capture_output=True, timeout=300)
    pdf = work / docx_file.with_suffix(".pdf").name
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run([pdftext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=120).stdout
    out = Path(os.environ.get("ISP_TEST_OUTPUT", ROOT / "test-output")) / output
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"{docx_file.stem}*.png"):
        old.unlink()
    subprocess.run([ppm, "-png", "-r", "50", str(pdf), str(out / docx_file.stem)], check=True, capture_output=True,
                   timeout=120)
    pages = sorted(out.glob(f"{docx_file.stem}*.png"))
    assert pages and all(p.read_bytes().startswith(b"\x89PNG") for p in pages)
    shutil.copy(pdf, out / pdf.name)
    return " ".join(text.split())
