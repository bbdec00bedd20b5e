"""Publishing exactly once under faults, end to end: approved posts scheduled now on
the sandbox, ``socops worker`` in a subprocess with injected faults, killed with
``kill -9`` at random moments (and by the sandbox itself right after a send),
restarted until every target is final. Nothing may be posted twice, and no
target may be left without a final state.

A bounded run of ``bench/publish_faults.py`` (which does 500 and prints the
counts). The sandbox plays a platform without idempotency keys here, where a
blind retry would show as a second post.
"""

from __future__ import annotations

from bench.publish_faults import FINAL_STATES, run_until_final, seed_posts

POSTS = 60
#: No connect errors here: their retry waits 15 s or more (the publisher's backoff),
#: too long for a bounded test; the bench has them.
FAULTS = ("timeout_after_send:0.1,server_error:0.08,rate_limit:0.05,slow:0.08,crash_after_send:0.1,"
          "slow_seconds:0.3,rate_limit_seconds:1,idempotent:no,seed:5")


def test_kill_9_and_injected_faults_never_post_twice_nor_leave_a_post_unfinished(tmp_path):
    home = tmp_path / "home"
    ids = seed_posts(home, POSTS)
    outcome = run_until_final(home, ids, faults=FAULTS, seed=5, bound_s=75, kill_after=(1.0, 4.0),
                              log_path=tmp_path / "worker.log")
    report = outcome.as_dict()
    assert outcome.targets == POSTS, report
    assert outcome.duplicates == 0, report                  # never sent twice
    assert outcome.not_final == 0 and not outcome.bound_hit, report
    assert set(outcome.states) <= set(FINAL_STATES), report
    assert outcome.orphans == 0, report                     # every post that went out is recorded
    assert outcome.needs_check_with_post == 0, report       # "needs check" only where nothing went out
    assert outcome.states["published"] >= POSTS // 2, report
    assert outcome.kills + outcome.crashes >= 3, report     # the worker really was killed along the way
