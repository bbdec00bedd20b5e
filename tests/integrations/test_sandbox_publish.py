"""The sandbox publishes: posts on a platform every process shares, idempotent by
key (or not, on purpose), injected faults, look-ups by text, delete."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
from datetime import datetime, timedelta, timezone

import pytest

from integrations.base import MediaAttachment, OutboundPost, PermanentError, RateLimitedError, TransientError
from integrations.sandbox import (
    FAULTS,
    FAULTS_ENV,
    SANDBOX_ACCOUNTS,
    SandboxAdapter,
    SandboxFaults,
    SandboxPlatform,
)
from integrations.sandbox.platform import FILE_NAME
from tests.conftest import FakeClock

EN, ES, JA = SANDBOX_ACCOUNTS
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)
NO_FAULTS = SandboxFaults()


def run(coro):
    return asyncio.run(coro)


def sandbox(account=EN, *, clock=None, **kw) -> SandboxAdapter:
    kw.setdefault("faults", NO_FAULTS)
    return SandboxAdapter(account, clock=clock or FakeClock(NOW), **kw)


def post(text: str = "Trail notes: the Ridgeline rain jacket is back in every size", **kw) -> OutboundPost:
    return OutboundPost(text=text, **kw)


class Crashed(Exception):
    """Stands for the process ending (``crash_after_send``) in a unit test."""


def crash() -> None:
    raise Crashed()


# -- publishing, idempotent by key ---------------------------------------------------

def test_a_published_post_has_a_remote_id_and_a_url_and_keeps_its_alt_text():
    a = sandbox()
    image = MediaAttachment(alt_text="A red rain jacket on a hook", data=b"\x89PNG")
    result = run(a.publish(post(media=(image,)), idempotency_key="socops-1"))
    assert result.remote_id == "sandbox-post-1"
    assert result.url == "https://sandbox.socops.invalid/@northwind/1"
    assert result.published_at == NOW
    (stored,) = a.published_posts
    assert stored.alt_texts == ("A red rain jacket on a hook",) and stored.language == "en"
    assert stored.key == "socops-1" and stored.deleted_at is None


def test_a_create_with_a_key_already_used_returns_the_post_it_made():
    clock = FakeClock(NOW)
    a = sandbox(clock=clock)
    first = run(a.publish(post(), idempotency_key="k"))
    clock.advance(minutes=3)
    again = run(a.publish(post(), idempotency_key="k"))
    other = run(a.publish(post("Another day, another trail"), idempotency_key="k2"))
    assert again == first and other.remote_id == "sandbox-post-2"
    assert len(a.published_posts) == 2


def test_idempotent_across_adapters_sharing_the_platform_folder(tmp_path):
    one, two = sandbox(platform_dir=tmp_path), sandbox(platform_dir=tmp_path)
    first = run(one.publish(post(), idempotency_key="shared"))
    assert run(two.publish(post(), idempotency_key="shared")) == first
    lines = [json.loads(line) for line in (tmp_path / FILE_NAME).read_text().splitlines()]
    assert [line["type"] for line in lines] == ["post"]
    assert [p.remote_id for p in SandboxPlatform(tmp_path).posts()] == ["sandbox-post-1"]
    es = sandbox(ES, platform_dir=tmp_path)            # numbers are the platform's, keys each account's
    assert run(es.publish(post("Hola"), idempotency_key="shared")).remote_id == "sandbox-post-2"


def _publish_from_a_process(folder: str, worker: int) -> None:
    adapter = SandboxAdapter(EN, clock=lambda: NOW, platform_dir=folder, faults=NO_FAULTS)
    for n in range(15):
        asyncio.run(adapter.publish(post(f"post {n}"), idempotency_key=f"same-{n}"))
        asyncio.run(adapter.publish(post(f"own {worker}-{n}"), idempotency_key=f"own-{worker}-{n}"))


def test_processes_publishing_the_same_keys_at_once_make_one_post_per_key(tmp_path):
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_publish_from_a_process, args=(str(tmp_path), w)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    posts = SandboxPlatform(tmp_path).posts()
    assert [p.number for p in posts] == list(range(1, 15 + 3 * 15 + 1))
    keys = [p.key for p in posts]
    assert len(keys) == len(set(keys)) == 60


def test_a_line_torn_by_a_crash_is_skipped_and_ended_by_the_next_writer(tmp_path):
    a = sandbox(platform_dir=tmp_path)
    run(a.publish(post("first"), idempotency_key="1"))
    with open(tmp_path / FILE_NAME, "ab") as handle:
        handle.write(b'{"type":"post","n":2,"account":"sandbox:northwind_en","ke')   # kill -9 mid-write
    assert [p.text for p in SandboxPlatform(tmp_path).posts()] == ["first"]
    second = run(sandbox(platform_dir=tmp_path).publish(post("second"), idempotency_key="2"))
    assert second.remote_id == "sandbox-post-2"
    assert [p.text for p in SandboxPlatform(tmp_path).posts()] == ["first", "second"]


def test_without_idempotency_a_used_key_makes_a_second_post(tmp_path):
    a = sandbox(platform_dir=tmp_path, idempotent=False)
    assert not a.capabilities.idempotent_publish and SandboxAdapter.capabilities.idempotent_publish
    first = run(a.publish(post(), idempotency_key="k"))
    second = run(a.publish(post(), idempotency_key="k"))
    assert (first.remote_id, second.remote_id) == ("sandbox-post-1", "sandbox-post-2")
    found = run(a.find_published(post(), since=NOW - timedelta(minutes=1)))
    assert found.remote_id == "sandbox-post-1"          # the oldest with that text


@pytest.mark.parametrize("bad, words", [
    (post("   "), "empty"), (post("x" * 5001), "5,001 characters"),
    (post("x", media=tuple(MediaAttachment(alt_text="a", data=b"1") for _ in range(5))), "5 images")])
def test_what_the_sandbox_refuses(bad, words):
    a = sandbox()
    with pytest.raises(PermanentError, match=words):
        run(a.publish(bad, idempotency_key="k"))
    with pytest.raises(PermanentError, match="idempotency_key"):
        run(a.publish(post(), idempotency_key=""))
    assert a.published_posts == []


# -- looking a post up, and deleting it ------------------------------------------------

def test_find_published_finds_the_post_by_its_text_since_a_time():
    clock = FakeClock(NOW)
    a = sandbox(clock=clock)
    made = run(a.publish(post("Trail  notes:\nthe Ridgeline rain jacket is back in every size"),
                         idempotency_key="k"))
    found = run(a.find_published(post(), since=NOW - timedelta(minutes=5)))
    assert found.remote_id == made.remote_id and found.extra["recovered"] == "true"
    assert run(a.find_published(post(), since=NOW + timedelta(seconds=1))) is None      # made before since
    assert run(a.find_published(post("Trail notes"), since=NOW - timedelta(minutes=5))) is None


def test_find_published_sees_only_this_accounts_posts_that_still_exist(tmp_path):
    en, es = sandbox(platform_dir=tmp_path), sandbox(ES, platform_dir=tmp_path)
    made = run(en.publish(post(), idempotency_key="k"))
    assert run(es.find_published(post(), since=NOW)) is None
    run(en.delete(made.remote_id))
    assert run(en.find_published(post(), since=NOW)) is None


def test_delete_marks_the_post_deleted_once_and_refuses_others_posts(tmp_path):
    clock = FakeClock(NOW)
    en, es = sandbox(clock=clock, platform_dir=tmp_path), sandbox(ES, clock=clock, platform_dir=tmp_path)
    made = run(en.publish(post(), idempotency_key="k"))
    clock.advance(minutes=2)
    run(en.delete(made.remote_id))
    run(en.delete(made.remote_id))                       # deleting twice is fine
    (stored,) = SandboxPlatform(tmp_path).posts()
    assert stored.deleted_at == NOW + timedelta(minutes=2)
    with pytest.raises(PermanentError, match="belongs to sandbox:northwind_en"):
        run(es.delete(made.remote_id))
    with pytest.raises(PermanentError, match="no sandbox post"):
        run(en.delete("sandbox-post-99"))


# -- injected faults --------------------------------------------------------------------

def scripted(*faults: str | None):
    """A fault per attempt of every key: the first attempt gets ``faults[0]``..."""
    return lambda key, attempt: faults[attempt - 1] if attempt <= len(faults) else None


def test_timeout_after_send_stores_the_post_then_loses_the_answer(tmp_path):
    a = sandbox(platform_dir=tmp_path, faults=scripted("timeout_after_send"))
    with pytest.raises(TransientError, match="after the request was sent") as raised:
        run(a.publish(post(), idempotency_key="k"))
    assert raised.value.maybe_sent is True
    assert [p.key for p in a.published_posts] == ["k"]
    again = run(a.publish(post(), idempotency_key="k"))            # the retry: same key, same post
    assert again.remote_id == "sandbox-post-1" and len(a.published_posts) == 1
    assert a.platform_state.attempts(EN.account_id, "k") == 2


def test_a_server_error_stores_nothing_but_cannot_say_so():
    a = sandbox(faults=scripted("server_error"))
    with pytest.raises(TransientError, match="503") as raised:
        run(a.publish(post(), idempotency_key="k"))
    assert raised.value.maybe_sent is True and a.published_posts == []


def test_a_connect_error_sends_nothing_and_says_so():
    a = sandbox(faults=scripted("connect_error"))
    with pytest.raises(TransientError) as raised:
        run(a.publish(post(), idempotency_key="k"))
    assert raised.value.maybe_sent is False and a.published_posts == []


def test_a_rate_limit_says_until_when():
    a = sandbox(faults=SandboxFaults({"rate_limit": 1.0}, rate_limit_seconds=7))
    with pytest.raises(RateLimitedError) as raised:
        run(a.publish(post(), idempotency_key="k"))
    assert raised.value.until == NOW + timedelta(seconds=7) and a.published_posts == []


def test_a_slow_answer_comes_after_the_post_is_stored():
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        assert len(a.published_posts) == 1                   # already stored while the answer waits

    a = sandbox(faults=SandboxFaults({"slow": 1.0}, slow_seconds=1.5), sleep=sleep)
    assert run(a.publish(post(), idempotency_key="k")).remote_id == "sandbox-post-1"
    assert slept == [1.5]


def test_crash_after_send_ends_the_process_after_storing(tmp_path):
    a = sandbox(platform_dir=tmp_path, faults=scripted("crash_after_send"), crash=crash)
    with pytest.raises(Crashed):
        run(a.publish(post(), idempotency_key="k"))
    assert [p.key for p in SandboxPlatform(tmp_path).posts()] == ["k"]


def test_a_fault_plan_draws_by_seed_key_and_attempt_and_a_retry_draws_anew(tmp_path):
    plan = SandboxFaults({"server_error": 0.5}, seed=3)
    draws = [plan.draw(EN.account_id, f"key-{n}", 1) for n in range(400)]
    assert draws == [plan.draw(EN.account_id, f"key-{n}", 1) for n in range(400)]
    assert 150 < draws.count("server_error") < 250 and set(draws) == {"server_error", None}
    assert any(plan.draw(EN.account_id, "key-0", attempt) != draws[0] for attempt in range(2, 10))
    # the attempt count is the platform's: a second adapter (a restarted worker) goes on from it
    first, restarted = sandbox(platform_dir=tmp_path, faults=plan), sandbox(platform_dir=tmp_path, faults=plan)
    key = next(f"key-{n}" for n in range(400) if draws[n] == "server_error")
    with pytest.raises(TransientError):
        run(first.publish(post(), idempotency_key=key))
    outcomes = []
    for _ in range(20):
        try:
            outcomes.append(run(restarted.publish(post(), idempotency_key=key)).remote_id)
            break
        except TransientError:
            outcomes.append("503")
    assert outcomes[-1] == "sandbox-post-1"
    assert restarted.platform_state.attempts(EN.account_id, key) == len(outcomes) + 1


def test_each_fault_comes_about_as_often_as_asked():
    chances = {name: 0.1 for name in FAULTS}
    plan = SandboxFaults(chances, seed=11)
    draws = [plan.draw(EN.account_id, f"k{n}", 1) for n in range(6000)]
    for name in FAULTS:
        assert 480 < draws.count(name) < 720, name
    assert 2100 < draws.count(None) < 2700


def test_the_plan_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(FAULTS_ENV, "timeout_after_send:0.1, server_error:0.1,rate_limit:0.05,slow:0.1,"
                                   "seed:7,slow_seconds:0.25,idempotent:no")
    a = SandboxAdapter(EN, clock=FakeClock(NOW))
    assert a.faults == SandboxFaults({"timeout_after_send": 0.1, "server_error": 0.1, "rate_limit": 0.05,
                                      "slow": 0.1}, seed=7, slow_seconds=0.25, idempotent=False)
    assert not a.capabilities.idempotent_publish
    monkeypatch.delenv(FAULTS_ENV)
    assert not SandboxAdapter(EN).faults.active and SandboxAdapter(EN).capabilities.idempotent_publish


@pytest.mark.parametrize("text, words", [
    ("timeout:0.1", "unknown name 'timeout'"), ("slow", "needs a value"), ("slow:often", "not a number"),
    ("idempotent:maybe", "not yes or no"), ("slow:0.6,server_error:0.6", "add up to 1.2"),
    ("slow:1.5", "from 0 to 1")])
def test_a_wrong_plan_says_what_is_wrong(text, words):
    with pytest.raises(ValueError, match=words) as raised:
        SandboxFaults.parse(text)
    assert FAULTS_ENV in str(raised.value)
