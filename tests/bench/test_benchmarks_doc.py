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


def test_merge_replaces_only_the_modules_run_and_says_when_each_row_was_measured(tmp_path):
    from tests.bench.harness import Result, write_results

    def row(module: str, figure: float) -> Result:
        return Result(name=f"{module} row", figure=figure, unit="s", target="≤ 1 s",
                      passed=True, extra={"module": module})

    write_results([row("alpha", 1), row("beta", 2)], quick=True, out_dir=tmp_path)
    first = json.loads((tmp_path / "benchmarks.json").read_text())
    write_results([row("beta", 3)], quick=True, out_dir=tmp_path, merge=True,
                  order=["alpha", "beta"])
    merged = json.loads((tmp_path / "benchmarks.json").read_text())
    assert [(r["name"], r["figure"]) for r in merged["results"]] == [("alpha row", 1),
                                                                       ("beta row", 3)]
    alpha = merged["results"][0]
    assert alpha["extra"]["measured"] == first["results"][0]["extra"]["measured"]
    assert (tmp_path / "benchmarks.md").read_text() == render_markdown(merged)
    try:
        write_results([row("beta", 4)], quick=False, out_dir=tmp_path, merge=True)
    except SystemExit as exc:
        assert "other mode" in str(exc)
    else:
        raise AssertionError("merging full results into quick ones must be refused")
