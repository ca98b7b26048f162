"""the money of a company: JP wage caps per year, late-payment rates, payments, obliged date

Companies get the day they became obliged, the wage they report (PDS-Upah) and their first
unpaid month (Menunggak). Contribution rates get the source of their figure, and a JP row for
every year's wage cap (PP 45/2015 pasal 29; announced by BPJS Ketenagakerjaan each year).
Late-payment rates per program and the payments companies make (with their proof) are new.

Revision ID: 44c825d27c07
Revises: 4b53578303ff
Create Date: 2026-12-01 12:00:00.000000

"""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "44c825d27c07"
down_revision = '4b53578303ff'
branch_labels = None
depends_on = None

#: effective from, cap (Rupiah), source. Each year's cap is the previous one times (1 + GDP
#: growth of the year before), rounded down to hundreds, announced by the agency.
CAPS = [
    (date(2015, 7, 1), 7_000_000, "PP 45/2015 pasal 29 ayat (2): Rp7.000.000 pada saat "
     "program dimulai (1 Juli 2015)."),
    (date(2016, 3, 1), 7_335_300, "Daftar batas upah JP per tahun (krishandsoftware.com, "
     "'Batasan Upah Tertinggi Jaminan Pensiun Naik per Maret 2020'); pengumuman BPJS "
     "Ketenagakerjaan 2016 dan tanggal berlakunya (Maret) tidak dikonfirmasi."),
    (date(2017, 3, 1), 7_703_500, "Daftar batas upah JP per tahun (krishandsoftware.com); "
     "pengumuman BPJS Ketenagakerjaan 2017 dan tanggal berlakunya (Maret) tidak dikonfirmasi."),
    (date(2018, 3, 1), 8_094_000, "Daftar batas upah JP per tahun (krishandsoftware.com); "
     "pengumuman BPJS Ketenagakerjaan 2018 dan tanggal berlakunya (Maret) tidak dikonfirmasi."),
    (date(2019, 3, 1), 8_512_400, "Daftar batas upah JP per tahun (krishandsoftware.com); "
     "pengumuman BPJS Ketenagakerjaan 2019 dan tanggal berlakunya (Maret) tidak dikonfirmasi."),
    (date(2020, 3, 1), 8_939_700, "Pemberitahuan BPJS Ketenagakerjaan batas upah JP mulai "
     "Maret 2020: 8.512.400 x (1 + 5,02%), PDB 2019 (BRS BPS No. 17/02/Th.XXIV, 5 Februari "
     "2020), dikutip jimmybudhi.com."),
    (date(2021, 3, 1), 8_754_600, "Batas upah JP 2021 sebagaimana dipakai dalam perhitungan "
     "batas 2022 (gadjian.com: 8.754.600 x 1,0369); turun karena PDB 2020 negatif; "
     "pengumuman 2021 sendiri tidak dikonfirmasi."),
    (date(2022, 3, 1), 9_077_600, "Pemberitahuan BPJS Ketenagakerjaan batas upah JP mulai "
     "Maret 2022: 8.754.600 x (1 + 3,69%), PDB 2021 (BRS BPS No. 14/02/Th.XXV, 7 Februari "
     "2022), dikutip gadjian.com."),
    (date(2023, 3, 1), 9_559_600, "Pemberitahuan BPJS Ketenagakerjaan batas upah JP mulai "
     "Maret 2023: 9.077.600 x (1 + 5,31%), PDB 2022 (BRS BPS No. 15/02/Th.XXIV, 6 Februari "
     "2023), dikutip Gadjian (intercom.help)."),
    (date(2024, 3, 1), 10_042_300, "BPJS Ketenagakerjaan, batas upah JP mulai 1 Maret 2024: "
     "PDB 2023 5,05% (BRS BPS No. 13/02/Th.XXVII, 5 Februari 2024), dikutip "
     "suaraindonesia.co.id dan pikiran-rakyat.com."),
    (date(2025, 3, 1), 10_547_400, "Pemberitahuan BPJS Ketenagakerjaan No. B/91/022025 "
     "(27 Februari 2025), berlaku 1 Maret 2025: PDB 2024 5,03% (BRS BPS No. 17/02/Th.XXVIII), "
     "dikutip eosglobalexpansion.com dan i-admin.com."),
]
#: program, percent a month, effective from, legal basis
LATE = [
    ("JKK", "2", date(2015, 7, 1), "PP 44/2015 (denda 2% per bulan keterlambatan; pasal "
     "tidak dikonfirmasi)"),
    ("JKM", "2", date(2015, 7, 1), "PP 44/2015 (denda 2% per bulan keterlambatan; pasal "
     "tidak dikonfirmasi)"),
    ("JHT", "2", date(2015, 7, 1), "PP 46/2015 (denda 2% per bulan keterlambatan; pasal "
     "tidak dikonfirmasi)"),
    ("JP", "0.5", date(2015, 7, 1), "PP 45/2015 (denda 0,5% per bulan keterlambatan; teks "
     "dan pasal tidak dikonfirmasi)"),
]


def upgrade():
    # plain ADD COLUMN (no table copy): SQLite keeps the rows that refer to the companies
    op.add_column("companies", sa.Column("obliged_on", sa.Date(), nullable=True))
    op.add_column("companies", sa.Column("reported_wage", sa.Integer(), nullable=True))
    op.add_column("companies", sa.Column("unpaid_since", sa.Date(), nullable=True))
    op.add_column("contribution_rates",
                  sa.Column("source", sa.Text(), server_default="", nullable=False))
    op.create_table(
        "late_payment_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=5), nullable=False),
        sa.Column("percent_per_month", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("legal_basis", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_payment_rates")),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branches.id"],
                                name=op.f("fk_payments_branch_id_branches")),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_payments_company_id_companies")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_payments_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    op.create_index("ix_payments_branch_id", "payments", ["branch_id"])
    op.create_index("ix_payments_company_paid", "payments", ["company_id", "paid_on"])

    rates = sa.table(
        "contribution_rates", sa.column("program", sa.String), sa.column("risk_class", sa.Integer),
        sa.column("employer_percent", sa.Numeric), sa.column("worker_percent", sa.Numeric),
        sa.column("wage_cap", sa.Integer), sa.column("effective_from", sa.Date),
        sa.column("legal_basis", sa.String), sa.column("source", sa.Text),
    )
    known = {date(2015, 7, 1), date(2024, 3, 1)}  # the rows of the reference-data revision
    for effective_from, cap, source in CAPS:
        if effective_from in known:
            op.execute(rates.update()
                       .where(rates.c.program == "JP", rates.c.effective_from == effective_from)
                       .values(source=source, legal_basis="PP 45/2015 pasal 29"))
    op.bulk_insert(rates, [
        {"program": "JP", "risk_class": None, "employer_percent": Decimal("2"),
         "worker_percent": Decimal("1"), "wage_cap": cap, "effective_from": effective_from,
         "legal_basis": "PP 45/2015 pasal 29", "source": source}
        for effective_from, cap, source in CAPS if effective_from not in known])
    late = sa.table(
        "late_payment_rates", sa.column("program", sa.String),
        sa.column("percent_per_month", sa.Numeric), sa.column("effective_from", sa.Date),
        sa.column("legal_basis", sa.String),
    )
    op.bulk_insert(late, [{"program": program, "percent_per_month": Decimal(percent),
                           "effective_from": effective_from, "legal_basis": basis}
                          for program, percent, effective_from, basis in LATE])


def downgrade():
    added = [effective_from for effective_from, _cap, _source in CAPS
             if effective_from not in (date(2015, 7, 1), date(2024, 3, 1))]
    rates = sa.table("contribution_rates", sa.column("program", sa.String),
                     sa.column("effective_from", sa.Date))
    op.execute(rates.delete().where(rates.c.program == "JP",
                                    rates.c.effective_from.in_(added)))
    op.drop_index("ix_payments_company_paid", table_name="payments")
    op.drop_index("ix_payments_branch_id", table_name="payments")
    op.drop_table("payments")
    op.drop_table("late_payment_rates")
    # plain DROP COLUMN (SQLite 3.35+): no table copy, the rows referring to companies stay
    op.drop_column("contribution_rates", "source")
    op.drop_column("companies", "unpaid_since")
    op.drop_column("companies", "reported_wage")
    op.drop_column("companies", "obliged_on")
