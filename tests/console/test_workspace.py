"""Opening a workspace builds what the first panel needs; the rest is built at first use."""

from __future__ import annotations

import threading
import time

from console.workspace import Workspace, lazy_service

LAZY = ("users", "training", "auth", "library", "notices", "posts", "approvals")


def test_services_the_first_panel_does_not_need_are_built_at_first_use(workspace):
    assert not [name for name in LAZY if name in vars(workspace)]
    assert workspace.inbox is not None and workspace.audit is not None

    approvals = workspace.approvals

    # built with what it needs, once: later reads give the same services
    assert {"approvals", "posts", "notices"} <= set(vars(workspace))
    assert workspace.approvals is approvals and approvals.posts is workspace.posts
    assert "library" not in vars(workspace)


def test_a_lazy_service_works_as_before_for_its_callers(workspace):
    # the users service reaches training lazily too (the training gaps of a user)
    assert workspace.users.all_users() == []
    assert workspace.auth.users is workspace.users
    assert isinstance(Workspace.posts, lazy_service)


def test_two_threads_asking_at_once_get_one_service():
    built: list[object] = []

    class Owner:
        def __init__(self) -> None:
            self._building = threading.RLock()

        @lazy_service
        def service(self) -> object:
            time.sleep(0.05)  # long enough for the other thread to ask meanwhile
            built.append(object())
            return built[-1]

    owner = Owner()
    start = threading.Barrier(4)
    seen: list[object] = []

    def ask() -> None:
        start.wait()
        seen.append(owner.service)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert seen == [built[0]] * 4
