"""The web process's garbage collector tuning (qms/core/process.py), applied by qms/wsgi.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qms.core.process import YOUNG_GENERATION_THRESHOLD

ROOT = Path(__file__).resolve().parents[3]

LOAD_AND_REPORT = """
import gc, json
before = gc.get_threshold()
import qms.wsgi
cycle = []
cycle.append(cycle)
import weakref
class Node: pass
node = Node(); node.me = node; alive = weakref.ref(node); del node
gc.collect()
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count(),
                  "cycle_freed": alive() is None, "app": type(qms.wsgi.application).__name__}))
"""


def test_loading_the_wsgi_application_freezes_what_it_loaded_and_collects_less_often():
    """Run in a process of its own: the test process's collector stays as it is."""
    import json

    done = subprocess.run(
        [sys.executable, "-c", LOAD_AND_REPORT], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["app"] == "WSGIHandler"
    assert report["before"][0] < YOUNG_GENERATION_THRESHOLD  # Python's default: 700
    assert report["after"] == [YOUNG_GENERATION_THRESHOLD, *report["before"][1:]]
    assert report["frozen"] > 10_000  # Django, the portal's modules and settings
    assert report["cycle_freed"]  # cycles made after loading are still collected
