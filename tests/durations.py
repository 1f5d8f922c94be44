"""Write tests/durations.json, each test file's seconds in a whole run, from that run's JUnit report
(``pytest --junitxml=run.xml``; then ``python tests/durations.py run.xml``). conftest orders the files
by it, longest first, so the xdist workers finish together."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).with_name("durations.json")


def file_seconds(report: Path) -> dict[str, float]:
    """Seconds per test file (``test_x.py``) summed over the report's test cases."""
    seconds: dict[str, float] = defaultdict(float)
    for case in ET.parse(report).getroot().iter("testcase"):
        module = next((p for p in case.get("classname", "").split(".") if p.startswith("test_")), None)
        if module is not None:
            seconds[f"{module}.py"] += float(case.get("time", "0") or 0)
    return {name: round(total, 1) for name, total in sorted(seconds.items(), key=lambda kv: -kv[1])}


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit("usage: python tests/durations.py RUN.xml")
    OUT.write_text(json.dumps(file_seconds(Path(argv[1])), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv)
