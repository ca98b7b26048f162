"""The agency's default letter templates; a branch's supervisor edits them into new versions.

A line of the copies (Tembusan) that is `{dpmptsp}`, `{disnaker}` or `{kejari}` prints the head
of that partner office of the company's own city or regency, from the branch's registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULTS_DIR = Path(__file__).parent / "defaults"


@dataclass(frozen=True)
class DefaultTemplate:
    """A template as shipped with the app."""

    code: str
    name: str
    classification: str
    subject: str
    nature: str = "Penting"
    copies: str = ""
    needs_approval: bool = False

    @property
    def body(self) -> str:
        return (DEFAULTS_DIR / f"{self.code}.j2").read_text(encoding="utf-8")


DEFAULT_TEMPLATES = {t.code: t for t in [
    DefaultTemplate("notification", "Surat Pemberitahuan", "PKP",
                    "Pemberitahuan Kewajiban Kepesertaan BPJS Ketenagakerjaan", "Biasa",
                    "{disnaker}"),
    DefaultTemplate("summons", "Surat Panggilan", "PKP", "Undangan Klarifikasi Kepesertaan",
                    "Penting", "{disnaker}"),
    DefaultTemplate("warning_1", "Teguran Tertulis I", "PKP", "Teguran Tertulis Pertama",
                    "Penting", "{disnaker}\nKepala Kantor Wilayah"),
    DefaultTemplate("warning_2", "Teguran Tertulis II", "PKP", "Teguran Tertulis Kedua",
                    "Segera", "{disnaker}\nKepala Kantor Wilayah"),
    DefaultTemplate("fine", "Pemberitahuan Sanksi Denda", "PKP", "Pengenaan Sanksi Denda",
                    "Segera", "{disnaker}\nKepala Kantor Wilayah"),
    DefaultTemplate("tmp2t", "Rekomendasi TMP2T", "PKP",
                    "Rekomendasi Sanksi Tidak Mendapat Pelayanan Publik Tertentu", "Segera",
                    "Kepala Kantor Wilayah\n{disnaker}", True),
    DefaultTemplate("legal_referral", "Penyerahan ke Kejaksaan Negeri (SKK)", "HK",
                    "Penyerahan Penanganan Perkara Kepatuhan dengan Surat Kuasa Khusus",
                    "Rahasia", "Kepala Kantor Wilayah", True),
    # the assignment letter (surat tugas) of an inspection, naming the inspectors
    # (PP 86/2013 pasal 13: sanctions rest on the supervision and inspection of compliance)
    DefaultTemplate("assignment", "Surat Tugas Pemeriksaan", "PKP",
                    "Surat Tugas Pemeriksaan Kepatuhan", "Penting", "{disnaker}"),
    # the invitation of a partner office (the labour office or the prosecutor) to a joint
    # visit of the company (PP 86/2013 pasal 13 ayat (1) and (5); UU 24/2011 pasal 11)
    DefaultTemplate("joint_visit_invitation", "Undangan Kunjungan Bersama", "PKP",
                    "Permohonan Kunjungan Bersama ke Pemberi Kerja", "Penting",
                    "Kepala Kantor Wilayah"),
    DefaultTemplate("visit_report", "Berita Acara Kunjungan", "PKP",
                    "Berita Acara Kunjungan", "Biasa", "", False),
    # written when a case closes: the permit office withdraws its TMP2T sanction once the fine
    # is paid and the company registered (PP 86/2013 pasal 10 ayat (7)-(8)); the prosecutor
    # learns that the referral is over
    DefaultTemplate("tmp2t_lift", "Pencabutan Rekomendasi TMP2T", "PKP",
                    "Permohonan Pencabutan Sanksi Tidak Mendapat Pelayanan Publik Tertentu",
                    "Segera", "Kepala Kantor Wilayah"),
    DefaultTemplate("referral_notice", "Pemberitahuan Penutupan Perkara ke Kejaksaan Negeri",
                    "HK", "Pemberitahuan Penyelesaian Perkara Kepatuhan", "Penting",
                    "Kepala Kantor Wilayah"),
]}
