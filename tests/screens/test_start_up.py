"""Start-up imports only what the first panel needs (issue 10).

The check runs in fresh processes (``start_up_probe.py``): pytest and other
tests import the heavy modules anyway, so ``sys.modules`` here says nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = "tests.screens.start_up_probe"


def run_probe(home: Path, *args: str) -> str:
    env = dict(os.environ, SOCOPS_HOME=str(home), SOCOPS_USER="olivia",
               # no keyring here: the sandbox keeps the owner's TOTP seed in its file
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = subprocess.run([sys.executable, "-m", PROBE, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def seeded_home(tmp_path_factory) -> tuple[Path, str]:
    home = tmp_path_factory.mktemp("start-up") / "home"
    return home, run_probe(home, "setup")


@pytest.mark.parametrize("how", ["actor", "login"])
def test_no_heavy_module_is_imported_before_the_first_panel_shows(seeded_home, how):
    home, seed = seeded_home
    seen = json.loads(run_probe(home, how, *([seed] if how == "login" else [])))
    assert seen["panel"] == "InboxScreen" and seen["rows"] > 0, seen
    assert seen["loaded_later"] == [], f"imported before the first panel was shown: {seen['loaded_later']}"


def test_the_probe_names_what_it_looks_for():
    from tests.screens.start_up_probe import loaded_later

    assert loaded_later(["httpx", "httpx._client", "integrations.base", "integrations.x.adapter",
                         "screens.compose.screen", "screens.composer"]) == [
        "httpx", "httpx._client", "integrations.x.adapter", "screens.compose.screen"]
