"""``socops post schedule | unschedule | publish --now | retry | delete`` and
``post show``'s schedule, acting as people with their codes."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from console.permissions import StepUpRequired
from console.publishing import DELETED, PUBLISHED, SCHEDULED
from integrations.sandbox.platform import SandboxPlatform
from tests.console.identity_fixtures import act_as
from tests.console.publishing.cli_fixtures import EN, JA, approved, as_user, audit, publish_due, run
from tests.console.publishing.cli_fixtures import cli_clock, memory_keyring, people, team  # noqa: F401

JA_TEXT = "Winter boots are back #ノースウィンド"


def test_a_time_without_an_offset_is_each_accounts_own_time(workspace, team, monkeypatch, capsys):
    post_id = approved(workspace, team, targets=(EN, JA))
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "schedule", post_id, "--at", "2026-12-05 15:00")
    assert code == 0, err
    assert out.splitlines() == [f"scheduled {post_id}:",
                                f"  {EN}  Sat 2026-12-05 15:00 EST",
                                f"  {JA}  Sat 2026-12-05 15:00 JST"]
    workspace.store.refresh()
    targets = workspace.scheduling.get(post_id).targets
    assert targets[EN].at == datetime.fromisoformat("2026-12-05T20:00+00:00")
    assert targets[JA].at == datetime.fromisoformat("2026-12-05T06:00+00:00")

    # with an offset: one moment everywhere; the approval is kept
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "schedule", post_id,
                             "--at", "2026-12-05T13:00+00:00")
    assert code == 0, err
    assert out.splitlines() == [f"rescheduled {post_id}:",
                                f"  {EN}  Sat 2026-12-05 08:00 EST",
                                f"  {JA}  Sat 2026-12-05 22:00 JST"]
    assert [a[1] for a in changes(workspace)[-2:]] == ["post.schedule", "post.reschedule"]
    assert workspace.posts.get(post_id).status == "approved"


def test_a_dry_run_prints_the_plan_and_changes_nothing(workspace, team, monkeypatch, capsys):
    post_id = approved(workspace, team, targets=(EN, JA))
    events = len(changes(workspace))
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "schedule", post_id, "--next-slot",
                             "--dry-run")
    assert code == 0, err
    # Thanksgiving (NA) and the quiet hours are skipped: @en's first slot is Friday 09:00
    assert out.splitlines() == [f"{post_id} would go out:",
                                f"  {EN}  Fri 2026-11-27 09:00 EST",
                                f"  {JA}  Thu 2026-11-26 20:00 JST",
                                "nothing was changed (a dry run); run it again without --dry-run to schedule it"]
    workspace.store.refresh()
    assert workspace.scheduling.get(post_id) is None and len(changes(workspace)) == events


def test_a_refusal_prints_each_finding_and_a_warning_can_be_acknowledged(workspace, team, monkeypatch, capsys):
    post_id = approved(workspace, team, targets=(EN, JA))
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "schedule", post_id, "--at", "2026-12-02 23:30")
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == f"socops: error: {post_id} cannot be scheduled then: 2 publishing rules say no"
    assert lines[1].startswith("  publishing.blackout error: @northwind at Wed 2026-12-02 23:30 EST falls in "
                               "blackout 'quiet-hours' (daily 23:00-07:00): nobody is on shift")
    assert lines[1].endswith(" — pick a time outside it; or override it with a note (roles: owner, admin)")
    assert lines[2].startswith("  publishing.blackout error: @northwind_jp at Wed 2026-12-02 23:30 JST")

    # the same text on @en within 14 days is a warning to acknowledge
    assert run_ok(monkeypatch, team, capsys, "ed", "post", "schedule", post_id, "--at", "2026-12-05 15:00")
    again = approved(workspace, team, "AUTUMN walks start Saturday at the harbour #ノースウィンド", targets=(EN,))
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "schedule", again, "--at", "2026-12-07 12:00")
    assert code == 1
    assert err.splitlines()[1].startswith(f"  publishing.duplicate warning: @northwind: the same text as {post_id}")
    assert err.splitlines()[-1] == "to schedule anyway, run the command again with --ack publishing.duplicate"
    assert run_ok(monkeypatch, team, capsys, "ed", "post", "schedule", again, "--at", "2026-12-07 12:00",
                  "--ack", "publishing.duplicate")
    workspace.store.refresh()
    assert workspace.scheduling.get(again).acknowledged == ("publishing.duplicate",)


def test_overriding_a_blackout_takes_a_role_a_note_and_a_new_approval(workspace, team, monkeypatch, capsys):
    post_id = approved(workspace, team, targets=(JA,))
    code, _, err = as_user(monkeypatch, team, "ed", capsys, "post", "schedule", post_id, "--at", "2026-12-02 23:30",
                           "--note", "launch")
    assert code == 2 and "--note explains an --override" in err
    code, _, err = as_user(monkeypatch, team, "ed", capsys, "post", "schedule", post_id, "--at", "2026-12-02 23:30",
                           "--override", "quiet-hours", "--note", "launch at midnight")
    assert code == 1 and "needs one of these roles: owner, admin; you are editor" in err
    code, out, err = as_user(monkeypatch, team, "olivia", capsys, "post", "schedule", post_id,
                             "--at", "2026-12-02 23:30", "--override", "quiet-hours", "--note", "launch at midnight")
    assert code == 0, err
    assert out.splitlines()[-1] == ("it goes out only once approved again (approval needed again: it overrides "
                                    "blackout quiet-hours); its approvers are told")
    workspace.store.refresh()
    assert workspace.posts.get(post_id).status == "in_review"


def changes(workspace):
    """The audit events that are not logins (each command logs its user in)."""
    return [event for event in audit(workspace) if not event[1].startswith(("login.", "policy."))]


def run_ok(monkeypatch, team, capsys, name, *argv) -> bool:
    code, _, err = as_user(monkeypatch, team, name, capsys, *argv)
    assert code == 0, err
    return True


def test_draft_reads_a_time_without_an_offset_in_the_accounts_shared_zone(workspace, team, monkeypatch, capsys):
    """`post draft --at "2026-12-05 15:00"` was refused for lacking an offset."""
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "draft", "--to", EN, "--text", "Boots",
                             "--at", "2026-12-05 15:00")
    assert code == 0, err
    workspace.store.refresh()
    post = workspace.posts.get(out.split()[1])
    assert post.proposed_at == datetime.fromisoformat("2026-12-05T15:00-05:00")

    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "draft", "--to", f"{EN},{JA}",
                             "--text", JA_TEXT, "--at", "2026-12-05 15:00")
    assert code == 1 and out == ""
    assert err.strip() == (
        f"socops: error: 2026-12-05 15:00 names no single moment: the accounts are in different time zones "
        f"({EN} America/New_York, {JA} Asia/Tokyo); give the proposed time with an offset (e.g. "
        "2026-12-05T15:00+00:00). Once the post is approved, `socops post schedule ID --at \"2026-12-05 15:00\"` "
        "sends it at 15:00 in each account's own zone")
    code, _, err = as_user(monkeypatch, team, "ed", capsys, "post", "draft", "--to", EN, "--text", "Boots",
                           "--at", "someday")
    assert code == 2 and err.startswith("socops: usage error: --at: cannot read 'someday' as a time; use ")


def test_unschedule_keeps_the_approval(workspace, team, monkeypatch, capsys):
    post_id = approved(workspace, team, targets=(JA,))
    assert run_ok(monkeypatch, team, capsys, "ed", "post", "schedule", post_id, "--at", "2026-12-05 15:00")
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "unschedule", post_id)
    assert code == 0 and out.strip() == f"unscheduled {post_id}: it stays approved (ready to schedule)"
    code, _, err = as_user(monkeypatch, team, "ed", capsys, "post", "unschedule", post_id)
    assert code == 1 and err.strip() == f"socops: error: {post_id} is not scheduled"
    assert changes(workspace)[-1][:2] == ("ed", "post.unschedule")


def test_publish_now_needs_the_permission_and_a_fresh_code(workspace, team, monkeypatch, capsys):
    post_id = approved(workspace, team, JA_TEXT, targets=(JA,))          # 18:00 in Tokyo: no blackout
    code, _, err = as_user(monkeypatch, team, "ed", capsys, "post", "publish", post_id, "--now")
    assert code == 1 and "needs post.publish" in err

    # no code: refused before anything is done
    monkeypatch.setenv("SOCOPS_USER", "mia")
    monkeypatch.delenv("SOCOPS_TOTP", raising=False)
    code, _, err = run(capsys, "post", "publish", post_id, "--now")
    assert code == 1 and err.strip() == "socops: no TOTP code: standard input is not a terminal; set SOCOPS_TOTP"
    # a code already used (a replay) is no fresh code
    act_as(monkeypatch, team, "mia")
    used = team.code("mia", steps=-1)
    assert run(capsys, "post", "list")[0] == 0
    monkeypatch.setenv("SOCOPS_TOTP", used)
    code, _, err = run(capsys, "post", "publish", post_id, "--now")
    assert code == 1 and err.strip() == "socops: error: that code was already used; wait for the next one"
    workspace.store.refresh()
    assert workspace.scheduling.get(post_id) is None

    code, out, err = as_user(monkeypatch, team, "mia", capsys, "post", "publish", post_id, "--now")
    assert code == 0, err
    assert out.splitlines()[0] == f"{post_id} goes out now; the worker sends it within seconds:"
    assert out.splitlines()[1].startswith(f"  {JA}  Thu 2026-11-26 18:") and out.splitlines()[1].endswith("scheduled")
    assert "no worker is running" in err
    assert changes(workspace)[-1][:3] == ("mia", "post.publish_now", f"post/{post_id}")
    assert publish_due(workspace).published == 1


def test_show_has_each_accounts_time_state_attempts_url_and_error(workspace, team, monkeypatch, capsys):
    post_id = approved(workspace, team, targets=(EN, JA))
    assert run_ok(monkeypatch, team, capsys, "ed", "post", "schedule", post_id, "--at", "2026-11-27 08:00")
    team.clock.advance(hours=14)                     # 08:00 in Tokyo has come; New York's is ahead
    assert publish_due(workspace).published == 1
    code, out, _ = as_user(monkeypatch, team, "ed", capsys, "post", "show", post_id)
    lines = out.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("schedule  by ed at ")))
    assert lines[start + 1] == f"  {EN}  Fri 2026-11-27 08:00 EST  scheduled"
    published = lines[start + 2]
    assert published.startswith(f"  {JA}  Fri 2026-11-27 08:00 JST  published  attempt 1  https://")
    code, out, _ = as_user(monkeypatch, team, "ed", capsys, "post", "show", post_id, "--json")
    schedule = json.loads(out)["schedule"]
    assert [(t["account"], t["state"], t["attempts"]) for t in schedule["targets"]] == [
        (EN, SCHEDULED, 0), (JA, PUBLISHED, 1)]
    assert schedule["targets"][1]["url"] in published


def test_retry_sends_a_missed_post_again(workspace, team, monkeypatch, capsys):
    post_id = approved(workspace, team, JA_TEXT, targets=(JA,))
    assert run_ok(monkeypatch, team, capsys, "ed", "post", "schedule", post_id, "--at", "2026-11-26 19:00")
    team.clock.advance(hours=3)                      # no worker ran at 19:00 JST; now it is 21:0x
    assert publish_due(workspace).missed == 1
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "show", post_id)
    assert f"  {JA}  Thu 2026-11-26 19:00 JST  missed  — missed: it was due at" in out
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "retry", post_id)
    assert code == 0, err
    assert out.splitlines()[0] == f"retrying {post_id} now:"
    assert out.splitlines()[1].startswith(f"  {JA}  Thu 2026-11-26 21:") and out.splitlines()[1].endswith("scheduled")
    assert publish_due(workspace).published == 1
    code, _, err = as_user(monkeypatch, team, "ed", capsys, "post", "retry", post_id)
    assert code == 1 and err.strip() == f"socops: error: {post_id} has no failed or missed target to retry"
    assert [a[1] for a in audit(workspace) if a[2] == f"post/{post_id}"][-4:] == [
        "post.missed", "post.retry", "post.publishing", "post.published"]


def test_delete_takes_a_published_post_down_through_the_platform(workspace, team, monkeypatch, capsys):
    post_id = approved(workspace, team, JA_TEXT, targets=(JA,))
    code, _, err = as_user(monkeypatch, team, "mia", capsys, "post", "delete", post_id)
    assert code == 1 and err.strip() == f"socops: error: {post_id} was never scheduled, so it is on no platform; " \
                                        "nothing to delete"
    assert run_ok(monkeypatch, team, capsys, "mia", "post", "publish", post_id, "--now")
    assert publish_due(workspace).published == 1
    workspace.store.refresh()
    remote_id = workspace.scheduling.get(post_id).targets[JA].remote_id

    code, _, err = as_user(monkeypatch, team, "ed", capsys, "post", "delete", post_id)
    assert code == 1 and "needs post.publish" in err                 # as high-risk as publishing
    code, _, err = as_user(monkeypatch, team, "mia", capsys, "post", "delete", post_id, "--account", EN)
    assert code == 1 and err.strip() == f"socops: error: {post_id} does not go to {EN}; its accounts are {JA}"

    code, out, err = as_user(monkeypatch, team, "mia", capsys, "post", "delete", post_id)
    assert code == 0, err
    assert out.strip() == f"deleted {post_id} from {JA} (its post {remote_id})"
    platform = SandboxPlatform(workspace.paths.state_dir)
    assert platform.post(remote_id).deleted_at is not None
    workspace.store.refresh()
    target = workspace.scheduling.get(post_id).targets[JA]
    assert (target.state, target.deleted_by, target.deleted_at) == (DELETED, "mia", team.clock())
    actor, action, _, summary = changes(workspace)[-1]
    assert (actor, action) == ("mia", "post.delete") and summary.startswith(f"{JA}: deleted {remote_id} from sandbox")
    assert f"{post_id} was deleted from @northwind_jp by mia" in [n.text for n in workspace.notices.unread("ed")]

    code, out, _ = as_user(monkeypatch, team, "ed", capsys, "post", "show", post_id)
    assert f"  {JA}  Thu 2026-11-26 18:" in out
    assert f"  deleted  attempt 1  by mia at {target.deleted_at.isoformat()}  https://" in out
    code, _, err = as_user(monkeypatch, team, "mia", capsys, "post", "delete", post_id)
    assert code == 1 and err.strip().startswith(f"socops: error: {post_id} is out on no account ({JA} already "
                                                "deleted (by mia at")


def test_a_code_older_than_the_step_up_window_cannot_publish_or_hold(workspace, team):
    """The CLI's own login is the fresh code; an open session whose code is older is refused."""
    post_id = approved(workspace, team, JA_TEXT, targets=(JA,))
    mia, olivia = team.login("mia"), team.login("olivia")
    team.clock.advance(minutes=workspace.governance.auth.step_up_minutes + 1)
    with pytest.raises(StepUpRequired, match="post.publish"):
        workspace.scheduling.publish_now(mia, post_id)
    with pytest.raises(StepUpRequired, match="schedule.freeze"):
        workspace.holds.hold(olivia, "recall")
    with pytest.raises(StepUpRequired, match="post.publish"):
        workspace.deletion.targets(mia, post_id)
    assert workspace.scheduling.get(post_id) is None and workspace.holds.all() == []
