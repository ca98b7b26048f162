"""The benchmark's own targets: a quick mode under 2 minutes and a full run under an hour,
in the targets table and among the misses; the quick mode never runs itself again."""

from __future__ import annotations

from bench.__main__ import parse_args
from bench.report import Results, targets_table


def test_the_quick_mode_and_the_full_run_have_their_targets():
    assert "quick" in parse_args([]).only
    assert "quick" not in parse_args(["--quick"]).only
    assert "quick" not in parse_args(["--quick", "--only", "quick,pages"]).only
    results = Results(quick_seconds=68.0, total_seconds=39.5 * 60)
    table = targets_table(results)
    assert "| Quick mode (`python -m bench --quick`) under 2 minutes | SQLite | 68 s | met |" \
        in table
    assert "| A full `make bench` under 60 minutes | every part | 39.5 minutes | met |" in table
    assert results.target_problems() == []
    results = Results(quick_seconds=130.0, total_seconds=61 * 60)
    assert results.target_problems() == ["quick mode: 130 s", "full run: 61.0 minutes"]
    assert "**missed**" in targets_table(results)
