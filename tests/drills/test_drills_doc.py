"""docs/reliability.md's figures are generated from docs/drills.json, never copied by hand."""

import json

from tests.drills.run import FIGURES_BEGIN, FIGURES_END, ROOT, render_figures


def test_reliability_figures_match_drills_json():
    payload = json.loads((ROOT / "docs" / "drills.json").read_text())
    doc = (ROOT / "docs" / "reliability.md").read_text()
    assert doc.count(FIGURES_BEGIN) == 1 and doc.count(FIGURES_END) == 1
    block = FIGURES_BEGIN + doc.split(FIGURES_BEGIN, 1)[1].split(FIGURES_END, 1)[0] + FIGURES_END
    assert block == render_figures(payload)
    for row in payload["drills"]:  # every drill's verdict, time and date is on the page
        assert row["verdict"].replace("|", "/") in block
        assert f"{row['seconds']:g} s" in block


def test_a_changed_figure_is_caught():
    payload = json.loads((ROOT / "docs" / "drills.json").read_text())
    payload["drills"][0]["seconds"] += 1
    doc = (ROOT / "docs" / "reliability.md").read_text()
    assert render_figures(payload) not in doc
