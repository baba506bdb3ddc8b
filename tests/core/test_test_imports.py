"""Test modules share helpers through public names (tests/utils.py, tests/factories/, a module's
un-underscored functions): importing another test module's private `_name` ties tests to
details that module may change at will."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def private_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests"):
            found += [f"{node.module}.{a.name}" for a in node.names
                      if a.name.startswith("_") and not a.name.startswith("__")]
    return found


def test_the_check_catches_a_private_import():
    assert private_imports("from tests.drills.x import Workers, _wait") == ["tests.drills.x._wait"]
    assert private_imports("def f():\n    from tests.bench.h import _p\n") == ["tests.bench.h._p"]
    assert not private_imports("from apps.core import _internal\nfrom tests.utils import in_tenant")


def test_no_test_module_imports_a_private_helper_of_another():
    offenders = {str(p.relative_to(TESTS)): found for p in sorted(TESTS.rglob("*.py"))
                 if (found := private_imports(p.read_text()))}
    assert not offenders, offenders
