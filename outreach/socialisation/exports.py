"""The companies not yet reached in a year, as CSV or XLSX, written as the company list's
export writes them (Indonesian headers, typed cells, text never taken for a formula)."""

from __future__ import annotations

from outreach.companies.exports import Column, to_csv, to_xlsx
from outreach.socialisation.service import Coverage, area_of, not_reached

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

COLUMNS = [
    Column("Nama perusahaan", width=36),
    Column("NPP", width=12),
    Column("NIB", width=16),
    Column("Alamat", width=30),
    Column("Kecamatan", width=18),
    Column("Sektor", width=18),
    Column("Kota/Kabupaten", width=20),
    Column("Telepon", width=16),
    Column("Petugas", width=20),
    Column("Pekerja belum terdaftar", "int", 10),
]


def not_reached_export(coverage: Coverage, fmt: str) -> bytes:
    """The companies in scope not reached yet as CSV or XLSX bytes."""
    rows = ([c.name, c.npp or "", c.nib or "", c.address, c.kecamatan, c.sector,
             area_of(c.city), c.phone, c.officer.name if c.officer else "", c.workers_missing]
            for c in not_reached(coverage))
    if fmt == "csv":
        return to_csv(rows, COLUMNS)
    return to_xlsx(rows, "Belum terjangkau", COLUMNS)
