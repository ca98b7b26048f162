"""Pure questions about informal workers: is a NIK sound, what does a month cost, which months
does a sponsor cover, do two runs of months overlap, what may a role see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

#: the regency and city codes of Central Java (the first four digits of a NIK, Kemendagri)
REGENCIES = {
    "3301": "Kabupaten Cilacap", "3302": "Kabupaten Banyumas", "3303": "Kabupaten Purbalingga",
    "3304": "Kabupaten Banjarnegara", "3305": "Kabupaten Kebumen",
    "3306": "Kabupaten Purworejo", "3307": "Kabupaten Wonosobo", "3308": "Kabupaten Magelang",
    "3309": "Kabupaten Boyolali", "3310": "Kabupaten Klaten", "3311": "Kabupaten Sukoharjo",
    "3312": "Kabupaten Wonogiri", "3313": "Kabupaten Karanganyar", "3314": "Kabupaten Sragen",
    "3315": "Kabupaten Grobogan", "3316": "Kabupaten Blora", "3317": "Kabupaten Rembang",
    "3318": "Kabupaten Pati", "3319": "Kabupaten Kudus", "3320": "Kabupaten Jepara",
    "3321": "Kabupaten Demak", "3322": "Kabupaten Semarang", "3323": "Kabupaten Temanggung",
    "3324": "Kabupaten Kendal", "3325": "Kabupaten Batang", "3326": "Kabupaten Pekalongan",
    "3327": "Kabupaten Pemalang", "3328": "Kabupaten Tegal", "3329": "Kabupaten Brebes",
    "3371": "Kota Magelang", "3372": "Kota Surakarta", "3373": "Kota Salatiga",
    "3374": "Kota Semarang", "3375": "Kota Pekalongan", "3376": "Kota Tegal",
}


@dataclass(frozen=True)
class BpuRate:
    """The contribution of an informal worker (Bukan Penerima Upah) from a day on."""

    effective_from: date
    #: work accidents: percent of the declared income
    jkk_percent: int
    #: death: a flat amount a month, Rupiah
    jkm_flat: int
    #: old-age savings (optional): percent of the declared income
    jht_percent: int
    #: the lowest income a worker may declare, Rupiah
    lowest_income: int
    basis: str


#: dated rates, newest last: JKK 1% of the declared income and JKM Rp6.800 a month (PP 44/2015
#: as amended by PP 82/2019; Permenaker 5/2021 on the BPU programmes), JHT 2% (PP 46/2015);
#: the lowest declared income Rp1.000.000, so Rp16.800 a month for JKK+JKM. The figures are
#: those the agency publishes; the article numbers and the first day of this row are still to
#: be checked against the regulations' texts (a new row is added when a rate changes).
BPU_RATES = (
    BpuRate(date(2019, 12, 2), 1, 6_800, 2, 1_000_000,
            "PP 44/2015 jo. PP 82/2019; Permenaker 5/2021; JHT: PP 46/2015"),
)


def rate_in_force(day: date) -> BpuRate:
    """The rate row in force on `day` (the oldest one before the first)."""
    rows = [r for r in BPU_RATES if r.effective_from <= day]
    return rows[-1] if rows else BPU_RATES[0]


def programs_paid(pays_jht: bool) -> list[str]:
    """JKK and JKM always; JHT when the sponsor pays it."""
    return ["JKK", "JKM", "JHT"] if pays_jht else ["JKK", "JKM"]


def monthly_contribution(rate: BpuRate, declared_income: int, pays_jht: bool) -> int:
    """A month's contribution, Rupiah: JKK percent of the income, JKM flat, JHT percent."""
    income = max(declared_income, rate.lowest_income)
    amount = income * rate.jkk_percent // 100 + rate.jkm_flat
    if pays_jht:
        amount += income * rate.jht_percent // 100
    return amount


# --- months --------------------------------------------------------------------------------

def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    """The first day of the month `n` months after `month`."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """How many months from `first` to `last`, both counted."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def coverage(starts_on: date, ends_on: date, months: int, today: date) -> tuple[date, date]:
    """The first and last month a worker enrolled on `today` is covered: from the sponsor's
    first month (or this month, if later), for the sponsor's months, within its period."""
    first = max(month_start(starts_on), month_start(today))
    last = min(add_months(first, months - 1), month_start(ends_on))
    return first, last


# --- the NIK -------------------------------------------------------------------------------

@dataclass
class NikCheck:
    """What a NIK says and what is wrong with it."""

    nik: str
    problems: list[str] = field(default_factory=list)
    #: the field of each problem: "nik", or "birth_date" when the list's date disagrees
    fields: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    birth_date: date | None = None
    sex: str = ""
    regency_code: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def refuse(self, message: str, field_name: str = "nik") -> None:
        self.problems.append(message)
        self.fields.append(field_name)


def check_nik(raw: str, today: date, birth_date: date | None = None,
              sponsor_regency: str = "") -> NikCheck:
    """Check a NIK: 16 digits; a known regency or city (Central Java) and a kecamatan; the
    birth date it encodes (DDMMYY, 40 added to the day for women) is a real day, not in the
    future, and agrees with `birth_date` when given; a warning when the regency is not the
    sponsor's."""
    nik = "".join(ch for ch in str(raw) if not ch.isspace())
    result = NikCheck(nik)
    if len(nik) != 16 or not nik.isdigit():
        result.refuse(str(_l("A NIK has 16 digits.")))
        return result
    result.regency_code = nik[:4]
    if nik[:4] not in REGENCIES:
        result.refuse(str(_l("The NIK's region code %(code)s is not a regency or city "
                                      "of Central Java.", code=nik[:4])))
    if nik[4:6] == "00":
        result.refuse(str(_l("The NIK's kecamatan code cannot be 00.")))
    if nik[12:] == "0000":
        result.refuse(str(_l("The NIK's serial number cannot be 0000.")))
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    result.sex = "F" if day > 40 else "M"
    if day > 40:
        day -= 40
    century = 2000 if year <= today.year % 100 else 1900
    try:
        encoded = date(century + year, month, day)
    except ValueError:
        result.refuse(str(_l("The NIK does not encode a real birth date (digits 7 to "
                                      "12 are the day, month and year; women have 40 added "
                                      "to the day).")))
        return result
    if birth_date is not None:
        if (birth_date.day, birth_date.month, birth_date.year % 100) != (day, month, year):
            result.refuse(str(_l(
                "The birth date %(given)s does not match the NIK, which encodes "
                "%(encoded)s.", given=birth_date.strftime("%d-%m-%Y"),
                encoded=encoded.strftime("%d-%m-%Y"))), "birth_date")
        else:
            encoded = birth_date
    if encoded > today:
        result.refuse(str(_l("The birth date is in the future.")), "birth_date")
    result.birth_date = encoded
    if sponsor_regency and nik[:4] != sponsor_regency and not result.problems:
        result.warnings.append(str(_l(
            "The NIK is from %(region)s, not the sponsor's %(sponsor)s.",
            region=REGENCIES.get(nik[:4], nik[:4]),
            sponsor=REGENCIES.get(sponsor_regency, sponsor_regency))))
    return result


# --- personal data ---------------------------------------------------------------------------

#: the roles that see NIK and birth dates in full: the branch's supervisors, who sign the
#: registration and answer for it (UU 27/2022: only those who need the data see it)
FULL_VIEW_ROLES = ("supervisor",)


def sees_personal_data(role: str) -> bool:
    """Whether a role sees NIK and birth dates unmasked."""
    return role in FULL_VIEW_ROLES


def mask_nik(nik: str) -> str:
    """The region (6 digits) and the last 2 digits kept: where the person lives, not who."""
    return nik[:6] + "*" * 8 + nik[-2:] if len(nik) == 16 else "*" * len(nik)


def mask_birth_date(day: date | None) -> str:
    """Only the year of birth."""
    return f"**-**-{day.year}" if day else ""
