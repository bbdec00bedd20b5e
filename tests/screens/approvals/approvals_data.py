"""Test data for the Approvals panel tests: a governance file whose routes the
tests control, people with roles, and posts made through the real services.

Use ``governance_file`` before the workspace opens (or at any time: a running
workspace follows edits of the file); ``Team`` enrols the people and logs them
in; ``submit`` drafts and submits a post as its author.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace

import pytest

from console.paths import workspace_paths

EN, ES = "sandbox:northwind_en", "sandbox:northwind_es"

#: Low risk: one manager. High risk (prices): a manager, then legal.
GOVERNANCE = """\
version = 1

[roles.legal]
permissions = ["post.approve", "inbox.read", "account.view"]

[accounts."sandbox:northwind_en"]
owner = "olivia"
region = "NA"

[accounts."sandbox:northwind_es"]
owner = "olivia"
region = "LATAM"

[[brand.banned]]
phrase = "eco-friendly"
reason = "Vague green claims are greenwashing; name the certification."
severity = "warning"

[[risk.topics]]
id = "prices"
level = "high"
words = ["price", "discount", "sale"]

[approval]
approval_valid_hours = 72
bulk_risk = ["low"]

[[approval.routes]]
name = "high risk"
risk = ["high"]
stages = [{ role = "manager", mode = "any" }, { role = "legal", mode = "any" }]

[[approval.routes]]
name = "default"
stages = [{ role = "manager", mode = "any" }]
"""


def write_governance(text: str = GOVERNANCE) -> None:
    """Put ``text`` where the workspace reads its governance file (before or after opening)."""
    paths = workspace_paths()
    paths.ensure()
    (paths.config_dir / "governance.toml").write_text(text, encoding="utf-8")


@pytest.fixture
def governance_file():
    """The test governance file, written before the ``workspace`` fixture opens the workspace."""
    write_governance()


@pytest.fixture
def fixed_post_ids(monkeypatch):
    """Post ids p-000001, p-000002, ... so that snapshots do not change from run to run."""
    import console.posts.service as posts_module

    counter = itertools.count(1)
    # Only the post module's view of `secrets`: TOTP seeds stay random.
    monkeypatch.setattr(posts_module, "secrets", SimpleNamespace(token_hex=lambda _n: f"{next(counter):06x}"))


class Team:
    """mia and max (managers), lee (legal), and the owner olivia; sessions on demand."""

    def __init__(self, people) -> None:
        self.people = people
        self.workspace = people.workspace
        self.clock = people.clock
        people.add("mia", "manager")
        people.add("max", "manager")
        people.add("lee", "legal")
        self._sessions: dict[str, object] = {}

    def session(self, name: str):
        """A logged-in session of ``name`` (kept: one login per person per test)."""
        if name not in self._sessions:
            self._sessions[name] = self.people.login(name)
        return self._sessions[name]

    def submit(self, author: str, text: str, *, targets=(EN,), hours: float = 6, tags=(), acknowledge=()):
        """Draft and submit a post as ``author``, proposed ``hours`` from now."""
        actor = self.session(author)
        posts = self.workspace.posts
        draft = posts.draft(actor, list(targets), text, tags=tags,
                            proposed_at=self.clock() + timedelta(hours=hours))
        return posts.submit(actor, draft.id, acknowledge=acknowledge)
