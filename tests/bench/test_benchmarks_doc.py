"""docs/benchmarks.md is rendered from docs/benchmarks.json, never edited by hand."""

import copy
import json

from tests.bench.harness import ROOT, render_markdown


def _payload() -> dict:
    return json.loads((ROOT / "docs" / "benchmarks.json").read_text())


def test_benchmarks_md_matches_benchmarks_json():
    assert (ROOT / "docs" / "benchmarks.md").read_text() == render_markdown(_payload())


def test_every_figure_and_verdict_of_the_json_is_in_the_md():
    md = (ROOT / "docs" / "benchmarks.md").read_text()
    for row in _payload()["results"]:
        line = next(x for x in md.splitlines() if x.startswith(f"| {row['name']} |"))
        assert f"{row['figure']:g}" in line or f"{row['figure']:,.0f}" in line
        verdict = {True: "pass", False: "**FAIL**", None: "no target"}[row["passed"]]
        assert line.endswith(f"| {verdict} |")


def test_a_changed_figure_changes_the_md():
    payload = _payload()
    changed = copy.deepcopy(payload)
    changed["results"][0]["figure"] += 1
    assert render_markdown(changed) != render_markdown(payload)
