"""The sandbox works out of the box: a sandbox workspace socops creates starts
with an approved holding statement for each playbook of the shipped plan."""

from __future__ import annotations

from pathlib import Path

from console.crisis import SAMPLE_STATEMENTS
from console.governance import EXAMPLE_GOVERNANCE, check_governance_text
from console.paths import workspace_paths
from console.workspace import Workspace
from tests.console.crisis.crisis_fixtures import EN


def open_home(home, **options) -> Workspace:
    return Workspace.open(workspace_paths({"SOCOPS_HOME": str(home)}), operator="alice", **options)


def test_a_new_sandbox_workspace_starts_with_sample_holding_statements_once(tmp_path, alice):
    with open_home(tmp_path / "home", demo_content=True) as workspace:
        statements = workspace.library.holding_statements(alice)
        assert sorted(a.id for a in statements) == sorted(s.id for s in SAMPLE_STATEMENTS)
        for asset in statements:
            assert (asset.state, asset.owner, asset.approved_by) == ("approved", "sandbox", "sandbox")
            assert asset.title.startswith("SAMPLE (sandbox demo): ") and "sample" in asset.tags
        events = [(e["actor"], e["action"]) for e in workspace.audit.events()]
        assert events == [("sandbox", "library.sample")] * 4
        workspace.library.retire(alice, "hld-sample-outage", "we wrote our own")
    with open_home(tmp_path / "home", demo_content=True) as workspace:        # not a first run: nothing added
        assert len(list(workspace.audit.events())) == 5
        assert workspace.add_sample_content() == []                             # a retired sample stays retired
        assert workspace.library.get("hld-sample-outage").state == "retired"


def test_only_a_sandbox_workspace_created_by_socops_gets_them(tmp_path, alice):
    with open_home(tmp_path / "plain") as workspace:
        assert workspace.library.holding_statements(alice) == []
    home = tmp_path / "real"
    paths = workspace_paths({"SOCOPS_HOME": str(home)})
    paths.ensure()
    paths.config_file.write_text("[sandbox]\nenabled = false\n", encoding="utf-8")
    with open_home(home, demo_content=True) as workspace:
        assert workspace.library.holding_statements(alice) == []


def test_each_playbook_of_the_shipped_plan_has_a_sample_and_each_sample_passes_the_content_policy(room):
    policy, _ = check_governance_text(EXAMPLE_GOVERNANCE, Path("governance.toml"))
    tags = {tag for sample in SAMPLE_STATEMENTS for tag in sample.tags}
    assert {tag for playbook in policy.crisis.playbooks.values() for tag in playbook.holding_statement_tags} <= tags
    room.crisis.declare(room.as_("mia"), 3, "Drill", "trying every sample")
    for sample in SAMPLE_STATEMENTS:        # submitted without a warning to acknowledge, nor an error
        post = room.crisis.publish_holding_statement(room.as_("mia"), sample.id, [EN])
        assert post.status == "in_review" and post.route.name == "crisis statement"
