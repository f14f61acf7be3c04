"""The build leaves parts of some distributions out of the Lambda artifacts (infra.build.wheels
UNUSED_FILES): nothing of ours may import them, or it would work here and fail in Lambda."""

from __future__ import annotations

import re
from pathlib import Path

from infra.build import wheels

ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = re.compile(
    r"phonenumbers\s+import\s+[^\n]*\b(geocoder|carrier)\b|phonenumbers\.(geocoder|carrier|geodata|carrierdata)"
    r"|numpy\.[\w.]*tests|shapely\.tests"
)


def test_no_code_of_ours_imports_what_the_build_leaves_out() -> None:
    sources = [*ROOT.joinpath("layers").rglob("*.py"), *ROOT.joinpath("functions").rglob("*.py")]
    assert len(sources) > 50
    found = [
        f"{p.relative_to(ROOT)}: {m.group(0)}" for p in sources for m in LEFT_OUT.finditer(p.read_text())
    ]
    assert found == []


def test_the_left_out_parts_are_removed_and_the_rest_kept(tmp_path: Path) -> None:
    for name in ("geodata", "carrierdata", "data"):
        (tmp_path / "phonenumbers" / name).mkdir(parents=True)
        (tmp_path / "phonenumbers" / name / "__init__.py").write_text("")
    (tmp_path / "numpy" / "_core" / "tests").mkdir(parents=True)
    (tmp_path / "numpy" / "_core" / "tests" / "test_x.py").write_text("")
    (tmp_path / "numpy" / "testing").mkdir()
    wheels.drop_unused(tmp_path)
    assert sorted(p.name for p in (tmp_path / "phonenumbers").iterdir()) == ["data"]
    assert not (tmp_path / "numpy" / "_core" / "tests").exists()
    assert (tmp_path / "numpy" / "testing").is_dir()  # numpy.testing is a module, not the suite
