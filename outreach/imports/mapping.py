"""Which company field each column of a list holds: the fields, the column headers each one is
recognised by (`HEADERS`), the mapping recognised from a file's headers (`auto_mapping`) and
the check of a mapping a person chose (`check_mapping`).
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from outreach.companies.models import Source
from outreach.core.errors import ServiceError
from outreach.core.labels import COMPANY_FIELD_LABELS

#: the lists an import can come from
SOURCES = (Source.BPJS, Source.PEMKOT, Source.DISNAKER)
#: identifiers, in the order a row is matched by them
IDENTIFIERS = ("nib", "npwp", "npp")
#: company fields a list can fill
COMPANY_FIELDS = ("name", "nib", "npwp", "npp", "director_name", "address", "kelurahan",
                  "kecamatan", "city", "postal_code", "phone", "email", "sector",
                  "business_size", "risk_class", "workers_estimated", "workers_registered",
                  "average_wage", "programs", "obliged_on", "reported_wage")
#: dates only the lists carry: kept as what the source said, shown with the company's sources
DATE_FIELDS = ("registered_on", "licensed_on")
#: the kind of non-compliance a list names ("Keterangan: PWBD"): it opens a case of it
CASE_FIELDS = ("category",)
FIELDS = COMPANY_FIELDS + DATE_FIELDS + CASE_FIELDS

FIELD_LABELS = {
    **COMPANY_FIELD_LABELS,
    "registered_on": _l("Registration date"),
    "licensed_on": _l("Permit date"),
    "category": _l("Non-compliance (opens a case)"),
}

#: column headers each field is recognised by (normalised: lower case, words only), best first
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("nama perusahaan", "nama badan usaha", "nama pemberi kerja", "nama pelaku usaha",
             "nama usaha", "nama wajib pajak", "nama wp", "company name", "employer name",
             "business name", "perusahaan", "pemberi kerja", "badan usaha", "company",
             "employer", "nama", "name"),
    "nib": ("nib", "no nib", "nomor nib", "nomor induk berusaha", "business number"),
    "npwp": ("npwp", "no npwp", "nomor npwp", "npwp perusahaan", "npwp badan", "tax number",
             "tax id"),
    "npp": ("npp", "no npp", "nomor npp", "nomor pendaftaran perusahaan", "employer number"),
    "director_name": ("nama direktur", "nama pimpinan", "direktur", "pimpinan",
                      "penanggung jawab", "nama penanggung jawab", "pemilik", "nama pemilik",
                      "director", "director name", "owner"),
    "address": ("alamat", "alamat perusahaan", "alamat usaha", "alamat kantor", "address",
                "company address"),
    "kelurahan": ("kelurahan", "desa", "kelurahan desa", "desa kelurahan", "kel", "village"),
    "kecamatan": ("kecamatan", "kec", "district", "subdistrict"),
    "city": ("kota", "kabupaten", "kota kabupaten", "kabupaten kota", "kab kota", "city",
             "regency"),
    "postal_code": ("kode pos", "kodepos", "postal code", "postcode", "zip"),
    "phone": ("telepon", "no telepon", "nomor telepon", "telp", "no telp", "hp", "no hp",
              "nomor hp", "phone", "telephone", "phone number"),
    "email": ("email", "e mail", "alamat email", "surel"),
    "sector": ("sektor", "sektor usaha", "bidang usaha", "jenis usaha", "lapangan usaha",
               "kbli", "sector", "industry", "business sector"),
    "business_size": ("skala usaha", "skala", "ukuran usaha", "kategori usaha",
                      "business size", "size"),
    "risk_class": ("kelas risiko", "tingkat risiko", "risk class"),
    "workers_estimated": ("jumlah tenaga kerja", "jumlah tk", "jml tk", "tenaga kerja",
                          "jumlah karyawan", "jumlah pekerja", "karyawan", "pekerja", "tk",
                          "workers", "employees", "number of workers",
                          "number of employees", "workers estimated"),
    "workers_registered": ("tk terdaftar", "jumlah tk terdaftar", "tenaga kerja terdaftar",
                           "pekerja terdaftar", "jumlah peserta", "peserta",
                           "jumlah tk aktif", "tk aktif", "workers registered",
                           "registered workers"),
    "average_wage": ("upah rata rata", "rata rata upah", "upah", "gaji", "average wage",
                     "average monthly wage", "wage"),
    "obliged_on": ("tanggal wajib daftar", "tgl wajib daftar", "wajib sejak", "tanggal wajib",
                   "obliged since", "obliged on"),
    "reported_wage": ("upah dilaporkan", "upah yang dilaporkan", "upah lapor", "upah terlapor",
                      "reported wage", "wage reported"),
    "programs": ("program", "program diikuti", "program yang diikuti", "programs",
                 "programs taken"),
    "registered_on": ("tanggal kepesertaan", "tgl kepesertaan", "tanggal daftar", "tgl daftar",
                      "tanggal terdaftar", "tanggal registrasi", "registration date",
                      "registered on", "date registered"),
    "licensed_on": ("tanggal terbit", "tgl terbit", "tanggal terbit nib", "tgl terbit nib",
                    "tanggal izin", "tgl izin", "tanggal berdiri", "permit date",
                    "licence date", "license date", "date established"),
    # a plain "Keterangan" (remarks) or "Kategori" column is often free text: mapped by hand
    "category": ("keterangan pwbd", "keterangan pds", "keterangan pwbd pds",
                 "kategori ketidakpatuhan", "jenis ketidakpatuhan", "ketidakpatuhan",
                 "kategori kasus", "kategori pwbd pds", "status kepatuhan", "category",
                 "non compliance", "case category"),
}
#: in the agency's list of registered employers a plain worker count is the number registered
BPJS_WORKER_HEADERS = {"jumlah tenaga kerja", "jumlah tk", "jml tk", "tenaga kerja", "tk",
                       "jumlah pekerja", "pekerja", "workers"}


def header_key(header: str) -> str:
    """A column header reduced for recognition: lower case, words and digits, no "(units)"."""
    header = re.sub(r"\([^)]*\)", " ", header.casefold())
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header).split())


def auto_mapping(headers: list[str], source: str) -> list[str]:
    """The field each column holds, recognised from its header ("" for columns left out)."""
    keys = [header_key(h) for h in headers]
    # the agency's list of registered employers carries their NPP; its plain worker count is
    # the number registered (its lists of employers not yet registered have no NPP column)
    membership = source == Source.BPJS and any(key in HEADERS["npp"] for key in keys)
    best: dict[str, tuple[int, int]] = {}
    for column, key in enumerate(keys):
        for field_name, synonyms in HEADERS.items():
            if key not in synonyms:
                continue
            rank, target = synonyms.index(key), field_name
            if membership and key in BPJS_WORKER_HEADERS:
                # a header that names the registered workers outright wins over a plain count
                rank, target = rank + 100, "workers_registered"
            if target not in best or rank < best[target][0]:
                best[target] = (rank, column)
            break
    mapping = [""] * len(headers)
    for field_name, (_rank, column) in best.items():
        mapping[column] = field_name
    return mapping


def is_header_row(headers: list[str]) -> bool:
    """Whether a row of a file is its header row: one of its cells names the company name."""
    return "name" in auto_mapping(headers, Source.PEMKOT)


def check_mapping(headers: list[str], mapping: list[str]) -> list[str]:
    """The mapping as chosen by a person, or a ServiceError naming what is wrong with it."""
    if len(mapping) != len(headers) or any(m and m not in FIELDS for m in mapping):
        raise ServiceError(_("Choose a field or \"Leave out\" for every column."), "mapping")
    seen: dict[str, int] = {}
    for column, chosen in enumerate(mapping):
        if not chosen:
            continue
        if chosen in seen:
            raise ServiceError(_("The columns \"%(a)s\" and \"%(b)s\" both hold %(field)s. "
                                 "Leave one of them out.", a=headers[seen[chosen]] or "?",
                                 b=headers[column] or "?", field=FIELD_LABELS[chosen]),
                               "mapping")
        seen[chosen] = column
    if "name" not in seen:
        raise ServiceError(_("Choose the column that holds the company name."), "mapping")
    return list(mapping)
