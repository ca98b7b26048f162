"""The worst import files of the upload limit (10 MB), each read in a child process of its own:
refused or read (the rows kept as the upload keeps them), with the child's peak memory and time.

    python -m bench --only imports

The files: a workbook that unzips to 1 GB in one cell's text, one with a cell at the sheet's last
column (XFD) in every row, 10 MB of CSV separators, a CSV with one 10 MB cell, and the largest
real lists: a 10 MB CSV and a 10 MB workbook of ordinary rows.
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

#: what a file may cost at most: the issue's figures
TARGET_MB = 300
TARGET_S = 30
SIZE = 10 * 1024 * 1024
HEADER = ["No", "Nama Perusahaan", "NIB", "NPWP", "Alamat", "Kecamatan", "Kelurahan",
          "Sektor", "Jumlah Tenaga Kerja", "Telepon"]


@dataclass
class ImportRun:
    """One file: what it is, and what reading it did."""

    name: str
    size: int
    outcome: str  # "read N rows" or the refusal
    seconds: float
    peak_mb: float
    baseline_mb: float

    @property
    def met(self) -> bool:
        return self.peak_mb <= TARGET_MB and self.seconds <= TARGET_S


def _row(rng: random.Random, n: int) -> list[str]:
    return [str(n), f"PT Usaha Bersama {n}", f"{rng.randrange(10**12, 10**13)}",
            f"{rng.randrange(10**14, 10**15)}", f"Jl. Raya Pantura No. {n % 500}, RT 0{n % 9}",
            rng.choice(["Pekalongan Utara", "Pekalongan Barat", "Pekalongan Timur",
                        "Pekalongan Selatan"]), f"Kelurahan {n % 40}",
            rng.choice(["Batik", "Perikanan", "Pertanian", "Perdagangan"]),
            str(rng.randrange(1, 300)), f"0285-{rng.randrange(100000, 999999)}"]


def _zip(members: dict[str, bytes | Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def _workbook_parts(sheet_xml: bytes, shared: bytes | None = None) -> dict[str, bytes]:
    """The smallest parts of an XLSX workbook with one sheet."""
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = b'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
        b'.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
        b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        b'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        b'"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.worksheet+xml"/>'
        + (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
           b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared else b"")
        + b'</Types>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats'
        b'.org/package/2006/relationships"><Relationship Id="rId1" Type="' + rel
        + b'/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook ' + ns + b' xmlns:r="' + rel
        + b'"><sheets><sheet name="Daftar" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://'
        b'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
        + rel + b'/worksheet" Target="worksheets/sheet1.xml"/>'
        + (b'<Relationship Id="rId2" Type="' + rel + b'/sharedStrings" Target="sharedStrings.xml"'
           b'/>' if shared else b"") + b'</Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared:
        parts["xl/sharedStrings.xml"] = shared
    return parts


def _sheet(rows: list[bytes]) -> bytes:
    return (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>' + b"".join(rows) + b"</sheetData></worksheet>")


def _inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def gigabyte_cell(folder: Path) -> Path:
    """A workbook whose one shared text unzips to 1 GB."""
    path = folder / "gigabyte-cell.xlsx"
    header = b"".join(_inline(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADER[:3]))
    sheet = _sheet([b'<row r="1">' + header + b'</row>',
                    b'<row r="2"><c r="B2" t="s"><v>0</v></c></row>'])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in _workbook_parts(sheet, shared=b"<placeholder/>").items():
            if name != "xl/sharedStrings.xml":
                archive.writestr(name, body)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as target:
            target.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                         b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
            chunk = b"x" * (1024 * 1024)
            for _ in range(1024):
                target.write(chunk)
            target.write(b"</t></si></sst>")
    return path


def last_column(folder: Path) -> Path:
    """A workbook of short rows, each with a value in the sheet's last column (XFD)."""
    header = b"".join(_inline(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADER[:3]))
    rows = [b'<row r="1">' + header + b'</row>']
    n = 2
    while True:
        rows.append(f'<row r="{n}"><c r="B{n}" t="inlineStr"><is><t>PT {n}</t></is></c>'
                    f'<c r="XFD{n}"><v>1</v></c></row>'.encode())
        n += 1
        if n % 20_000 == 0 and len(_zip(_workbook_parts(_sheet(rows)))) > SIZE * 0.9:
            break
        if n > 1_000_000:
            break
    path = folder / "last-column.xlsx"
    path.write_bytes(_zip(_workbook_parts(_sheet(rows))))
    return path


def separators(folder: Path) -> Path:
    """10 MB of semicolons under a header: 1,000 rows of 10,000 empty cells."""
    path = folder / "separators.csv"
    line = ";" * 10_000 + "\r\n"
    path.write_text("Nama Perusahaan;NIB\r\n" + line * (SIZE // len(line) - 1))
    return path


def one_big_cell(folder: Path) -> Path:
    path = folder / "one-big-cell.csv"
    path.write_text("Nama Perusahaan;Alamat\r\nPT Satu;\"" + "x" * (SIZE - 100) + "\"\r\n")
    return path


def ordinary_csv(folder: Path) -> Path:
    """As many ordinary rows as 10 MB hold (the upload limit; about 80,000)."""
    rng, buffer, n = random.Random(1), io.StringIO(), 1
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    while buffer.tell() < SIZE - 200:
        writer.writerow(_row(rng, n))
        n += 1
    path = folder / "ordinary.csv"
    path.write_text(buffer.getvalue()[:SIZE].rsplit("\r\n", 2)[0] + "\r\n")
    return path


def ordinary_xlsx(folder: Path) -> Path:
    """An ordinary workbook of about 10 MB (openpyxl, shared strings, as Excel writes them)."""
    from openpyxl import Workbook

    rng = random.Random(2)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Daftar")
    sheet.append(HEADER)
    for n in range(1, 100_001):
        sheet.append(_row(rng, n))
    path = folder / "ordinary.xlsx"
    workbook.save(path)
    return path


FILES = [gigabyte_cell, last_column, separators, one_big_cell, ordinary_csv, ordinary_xlsx]


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike `ru_maxrss`, not carried over from
    the parent that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def read_one(path: str) -> dict:
    """In the child: read the file as an upload does and keep its rows as JSON."""
    from outreach.imports.mapping import is_header_row
    from outreach.imports.reading import FileProblem, read_sheet

    baseline = _peak_mb()
    started = time.perf_counter()
    data = Path(path).read_bytes()
    try:
        sheet = read_sheet(data, SIZE, is_header_row)
        kept = json.dumps(sheet.as_json())
        outcome = f"read {len(sheet.rows):,} rows ({len(kept) / 1e6:.0f} MB kept as JSON)"
    except FileProblem as problem:
        outcome = f"refused: {problem.message}"
    return {"outcome": outcome, "seconds": time.perf_counter() - started,
            "peak_mb": _peak_mb(), "baseline_mb": baseline}


def run_imports() -> list[ImportRun]:
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as folder:
        for make in FILES:
            path = make(Path(folder))
            print(f"imports: {path.name} ({path.stat().st_size / 1e6:.1f} MB) …", flush=True)
            child = subprocess.run([sys.executable, "-m", "bench.imports", str(path)],
                                   capture_output=True, text=True, check=True, timeout=600)
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            runs.append(ImportRun(name=path.name, size=path.stat().st_size, **figures))
            path.unlink()
    return runs


def imports_table(runs: list[ImportRun]) -> str:
    lines = ["| File | Size | Outcome | Seconds | Peak memory (MB) | Of which before reading |",
             "|---|---:|---|---:|---:|---:|"]
    for run in runs:
        lines.append(f"| {run.name} | {run.size / 1e6:.1f} MB | {run.outcome} | "
                     f"{run.seconds:.1f} | {run.peak_mb:.0f} | {run.baseline_mb:.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(json.dumps(read_one(sys.argv[1])))
