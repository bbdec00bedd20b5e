"""One open workspace: its configuration, store, services and worker.

This is what the CLI opens and hands to the TUI or a command; tests open one
on a temporary ``SOCOPS_HOME``. Opening creates the folders and, on a first
run, a commented configuration file, so the sandbox works with no set-up.

Opening builds only what the first panel needs (the store, the audit trail,
the accounts, the inbox); every other service is a :class:`lazy_service`,
built at its first use. A new domain's service is one more of those, so
start-up does not grow with the number of domains.
"""

from __future__ import annotations

import getpass
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from console.accounts import (
    ACCOUNTS,
    ACCOUNT_COLLECTIONS,
    SYNC,
    AccountAdapters,
    AccountService,
    AccountState,
    accounts_needing_reconnect,
)
from console.posts import POST_COLLECTIONS, ApprovalService, Approvers, ExpirePosts, PostService
from console.audit import AUDIT_COLLECTIONS, AuditTrail
from console.config import EXAMPLE_CONFIG, WorkspaceConfig, load_config
from console.crisis import CRISIS_COLLECTIONS, SAMPLE_STATEMENTS, CrisisService, ReplyFact
from console.policy import Attachment, PolicyProblem, Target
from console.governance import (GOVERNANCE_FILE, LAST_GOOD_GOVERNANCE_FILE, Governance, GovernancePolicy, Staff,
                                staffing_warnings)
from console.inbox import (
    INBOX,
    PROJECTED_DERIVED,
    PROJECTED_FIELDS,
    InboxItem,
    InboxService,
    SendReplies,
    SyncInbound,
    WakeSnoozed,
    policy_reply_check,
)
from console.library import LIBRARY_COLLECTIONS, LibraryService
from console.notices import NOTICE_COLLECTIONS, NoticeService
from console.publishing import (SCHEDULE_COLLECTIONS, Calendar, HoldService, PostDeletion, PostImport, PublishDue,
                                Publisher, SchedulingService)
from console.paths import WorkspacePaths, workspace_paths
from console.unsaved import UnsavedWork
from console.wallboard import Wallboard
from console.errors import InvalidAction, ItemNotFound
from console.permissions import INBOX_TRIAGE, POST_APPROVE, Scope
from console.records import parse_time, utc_now
from console.untrusted import one_line
from console.identity import (
    TRAINING_COLLECTIONS,
    USER_COLLECTIONS,
    Authenticator,
    SecretStore,
    TrainingService,
    UserService,
)
from console.worker import (
    JOB_HEALTH_COLLECTIONS,
    CompactStore,
    Job,
    JobHealth,
    JobRunner,
    WorkerLock,
    WorkerStatus,
    read_job_health,
)
from data import CollectionSpec, Store
from integrations.base import AccountRef, MediaAttachment, PlatformAdapter
from integrations.sandbox import SANDBOX_ACCOUNTS

COLLECTIONS = (
    CollectionSpec(INBOX, schema_version=1, fields=PROJECTED_FIELDS, derived=PROJECTED_DERIVED),
    CollectionSpec(SYNC, schema_version=1),
    *AUDIT_COLLECTIONS,
    *USER_COLLECTIONS,
    *TRAINING_COLLECTIONS,
    *ACCOUNT_COLLECTIONS,
    *LIBRARY_COLLECTIONS,
    *POST_COLLECTIONS,
    *NOTICE_COLLECTIONS,
    *JOB_HEALTH_COLLECTIONS,
    *SCHEDULE_COLLECTIONS,
    *CRISIS_COLLECTIONS,
)

log = logging.getLogger("socops")
#: Who adds the sandbox's demo content (the audit trail's actor).
SANDBOX_ACTOR = "sandbox"


def _reply_fact(item: InboxItem, reply) -> ReplyFact:
    return ReplyFact(item.id, item.account_id, reply.reply_id, reply.by, reply.status, reply.sent_at)


def check_draft_when_needed(policy, draft):
    """The policy checks, imported at the first check rather than at start-up
    (compiling their patterns is a noticeable part of opening the console)."""
    from console.policy import check_draft

    return check_draft(policy, draft)


def default_operator() -> str:
    """The console user name this person most likely has: $SOCOPS_USER or the OS
    user (the login screen suggests it; shell commands act as it)."""
    return os.environ.get("SOCOPS_USER", "").strip() or getpass.getuser()


Service = TypeVar("Service")


class lazy_service(Generic[Service]):
    """A :class:`Workspace` service built at its first use rather than at open.

    ``build(workspace)`` runs once per workspace, under the workspace's lock,
    so two threads asking at once (the UI and the worker) get one service;
    the result is kept in the instance, so later reads cost a plain attribute
    look-up. Used as a decorator, like ``functools.cached_property``.
    """

    def __init__(self, build: Callable[["Workspace"], Service]) -> None:
        self.build = build
        self.name = build.__name__
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, workspace: "Workspace | None", owner: type | None = None) -> Service:
        if workspace is None:
            return self  # type: ignore[return-value]  # looked up on the class
        with workspace._building:
            built = workspace.__dict__.get(self.name)
            if built is None:
                built = workspace.__dict__[self.name] = self.build(workspace)
        return built


class Workspace:
    """Everything one socops process needs, opened once and closed once."""

    def __init__(self, paths: WorkspacePaths, config: WorkspaceConfig, store: Store, *,
                 clock: Callable[[], datetime], operator: str,
                 governance: Governance | None = None) -> None:
        self.paths = paths
        self.config = config
        self.store = store
        self.clock = clock
        self.operator = operator
        self._building = threading.RLock()   # see lazy_service
        self.audit = AuditTrail(store, clock)
        self.governance = governance or Governance(paths.config_dir / GOVERNANCE_FILE)
        self.secrets = SecretStore(paths.state_dir, store_dir=paths.store_dir,
                                   sandbox_only=lambda: self.sandbox_only)
        self.platform_accounts = AccountService(store, self.audit, self.secrets, clock)
        self._account_index: dict[str, AccountRef] | None = None
        store.on_change(self._accounts_changed)
        # The first panel: building its index is most of opening a big inbox.
        self.inbox = InboxService(store, self.audit, assignee_for=self.inbox_assignee,
                                  sla=config.sla, clock=clock, region_of=self.account_region,
                                  reply_check=policy_reply_check(lambda: self.governance.content,
                                                                 self.account_region),
                                  # crisis mode: only its responders reply on the affected accounts
                                  reply_gate=lambda name, account_id: self.crisis.responder_refusal(name, account_id))
        self.worker_lock = WorkerLock(paths.worker_lock)
        #: What people were writing when their console closed (console/unsaved.py).
        self.unsaved = UnsavedWork(paths.state_dir / "unsaved", clock)
        self._status = WorkerStatus("starting", "worker not started")
        self._status_lock = threading.Lock()
        self._loop_active = False

    # -- the services built at first use -----------------------------------------------
    # people, permissions, second factors (console/identity/)
    @lazy_service
    def users(self) -> UserService:
        return UserService(self.store, self.audit, self.secrets, lambda: self.governance.roles, self.clock,
                           policy_version=lambda: self.governance.version,
                           training_gaps=lambda *args: self.training.gaps(*args))

    @lazy_service
    def training(self) -> TrainingService:
        return TrainingService(self.store, self.audit, self.users, self.governance, self.clock)

    @lazy_service
    def auth(self) -> Authenticator:
        return Authenticator(self.users, self.store, self.audit, self.secrets, self.governance, self.clock,
                             training=self.training)

    @lazy_service
    def library(self) -> LibraryService:
        return LibraryService(self.store, self.audit, self.clock, self.paths.data_dir / "library")

    # posts, their approval and the notices they leave (console/posts/)
    @lazy_service
    def notices(self) -> NoticeService:
        return NoticeService(self.store, self.clock)

    @lazy_service
    def posts(self) -> PostService:
        return PostService(self.store, self.audit, self.clock, policy=lambda: self.governance.content,
                           checker=check_draft_when_needed, target_of=self.post_target,
                           attachment_for=self._image_attachment, notices=self.notices,
                           approvers=Approvers(lambda: self.governance.content, self._active_role,
                                               self._approvers_holding, self.post_target),
                           known_accounts=lambda: list(self._accounts_by_id()))

    @lazy_service
    def approvals(self) -> ApprovalService:
        return ApprovalService(self.store, self.audit, self.clock, self.posts,
                               policy=lambda: self.governance.content, notices=self.notices,
                               scheduled=lambda post_id: self.scheduling.is_scheduled(post_id),
                               # an approved crisis holding statement goes out at once
                               approved=lambda actor, post: self.crisis.statement_approved(actor, post))

    # scheduling, the calendar, holds and the publisher (console/publishing/)
    @lazy_service
    def holds(self) -> HoldService:
        return HoldService(self.store, self.audit, self.clock, known_accounts=lambda: list(self._accounts_by_id()),
                           known_regions=lambda: {a.region for a in self.accounts if a.region},
                           region_of=self.account_region)

    @lazy_service
    def scheduling(self) -> SchedulingService:
        return SchedulingService(self.store, self.audit, self.clock, posts=self.posts, notices=self.notices,
                                 policy=lambda: self.governance.publishing, account_of=self.account_ref,
                                 region_of=self.account_region, role_of=self._active_role)

    @lazy_service
    def deletion(self) -> PostDeletion:
        return PostDeletion(self.store, self.audit, self.clock, posts=self.posts, notices=self.notices,
                            account_of=self.account_ref)

    @lazy_service
    def post_import(self) -> PostImport:
        return PostImport(self.posts, self.scheduling, clock=self.clock,
                          find_image=lambda actor, name: self.library.image_named(actor, name).id)

    @lazy_service
    def calendar(self) -> Calendar:
        return Calendar(self.store, self.holds, policy=lambda: self.governance.publishing,
                        accounts=lambda: self.accounts, region_of=self.account_region, clock=self.clock)

    @lazy_service
    def publisher(self) -> Publisher:
        return Publisher(self.store, self.audit, self.clock, posts=self.posts, holds=self.holds,
                         notices=self.notices, policy=lambda: self.governance.publishing,
                         check_content=self.posts.check, account_of=self.account_ref,
                         region_of=self.account_region,
                         owner_of=lambda account_id: self.governance.content.account(account_id).owner,
                         account_problem=self._publishing_problem, media_for=self._media_for)

    # crisis mode (console/crisis/)
    @lazy_service
    def crisis(self) -> CrisisService:
        return CrisisService(self.store, self.audit, self.clock, policy=lambda: self.governance.crisis,
                             holds=self.holds, scheduling=self.scheduling, posts=self.posts, library=self.library,
                             notices=self.notices, role_of=self._active_role, people=self._people,
                             known_accounts=lambda: list(self._accounts_by_id()), region_of=self.account_region,
                             handle_of=self.account_handle, queued_replies=self._queued_replies,
                             item_account=self._item_account, replies_of=self._replies_of)

    # the crisis room's big screen (console/wallboard/)
    @lazy_service
    def wallboard(self) -> Wallboard:
        return Wallboard(self.store, self.inbox, crisis=lambda: self.crisis, calendar=lambda: self.calendar,
                         accounts=lambda: self.accounts, region_of=self.account_region,
                         worker_status=self.worker_status, clock=self.clock)

    @classmethod
    def open(cls, paths: WorkspacePaths | None = None, *, clock: Callable[[], datetime] = utc_now,
             operator: str | None = None, demo_content: bool = False) -> "Workspace":
        """Open the workspace at ``paths`` (creating it on a first run). ``demo_content``
        (the ``socops`` entry point's choice): a sandbox workspace created now starts
        with sample content, the holding statements crisis mode publishes."""
        paths = paths or workspace_paths()
        paths.ensure()
        first_run = not paths.config_file.exists()
        if first_run:
            paths.config_file.write_text(EXAMPLE_CONFIG, encoding="utf-8")
        config = load_config(paths.config_file)
        # Before the store: a broken file with no good copy kept aside stops the start here.
        governance = Governance(paths.config_dir / GOVERNANCE_FILE,
                                last_good=paths.state_dir / LAST_GOOD_GOVERNANCE_FILE)
        store = Store.open(paths.store_dir, COLLECTIONS, clock=clock)
        for warning in store.warnings:
            log.warning("store: %s", warning)
        workspace = cls(paths, config, store, clock=clock, operator=operator or default_operator(),
                        governance=governance)
        if first_run and demo_content and config.sandbox.enabled:
            workspace.add_sample_content()
        return workspace

    def add_sample_content(self) -> list[str]:
        """The sandbox works out of the box: crisis mode gets approved holding statements
        for the shipped playbooks, added by the system actor "sandbox" and titled as
        samples. Ids already present (a sample someone retired) are left alone."""
        return self.library.add_samples(SANDBOX_ACTOR, SAMPLE_STATEMENTS)

    # -- accounts and adapters ---------------------------------------------------------
    @property
    def accounts(self) -> list[AccountRef]:
        """The connected accounts: the sandbox's three while it is enabled, then real ones."""
        sandbox = list(SANDBOX_ACCOUNTS) if self.config.sandbox.enabled else []
        return sandbox + [account.ref for account in self.platform_accounts.connected()]

    @property
    def sandbox_only(self) -> bool:
        """Only the built-in sandbox, no real accounts: secrets may fall back to a private file."""
        return self.config.sandbox.enabled and all(a.platform == "sandbox" for a in self.accounts)

    def _accounts_by_id(self) -> dict[str, AccountRef]:
        # Asked for every list row drawn and every inbox action: kept until the
        # accounts collection changes (here or in another process).
        if self._account_index is None:
            self._account_index = {account.account_id: account for account in self.accounts}
        return self._account_index

    def _accounts_changed(self, changes: list) -> None:
        if any(change.collection == ACCOUNTS for change in changes):
            self._account_index = None

    def account_ref(self, account_id: str) -> AccountRef | None:
        return self._accounts_by_id().get(account_id)

    def account_region(self, account_id: str) -> str:
        account = self._accounts_by_id().get(account_id)
        return account.region if account else ""

    def account_handle(self, account_id: str) -> str:
        account = self._accounts_by_id().get(account_id)
        return account.handle if account else account_id

    # -- people who own inbox items ------------------------------------------------------
    def inbox_assignee(self, name: str, account_id: str | None) -> str:
        """The user name of ``name`` if that person may own inbox items of
        ``account_id`` (of some account, when None): an enabled console user whose
        role (and training) grants inbox triage and whose scope covers the
        account. Else InvalidAction naming the person and why not."""
        user = self.users.find(name)
        if user is None:
            raise InvalidAction(f"cannot assign to {one_line(name.strip(), 40)!r}: no console user has that "
                                "name; type the user name of someone on the team (`socops user list`)")
        if user.disabled:
            raise InvalidAction(f"cannot assign to {user.username}: they are disabled; choose someone else, "
                                f"or ask an admin to run `socops user enable {user.username}`")
        access = self.users.access(user)
        if INBOX_TRIAGE not in access.permissions:
            raise InvalidAction(f"cannot assign to {user.username}: they may not work inbox items "
                                f"({access.missing.get(INBOX_TRIAGE, 'no access')}; needs {INBOX_TRIAGE})")
        if account_id is not None and not user.scope.covers(account_id, self.account_region(account_id)):
            raise InvalidAction(f"cannot assign to {user.username}: {account_id} is outside their scope "
                                f"({user.scope.describe()}); choose someone who works that account")
        return user.username

    def inbox_team(self, account_id: str) -> list[str]:
        """Everyone who may own inbox items of ``account_id`` (see :meth:`inbox_assignee`)."""
        team = []
        for user in self.users.all_users():
            try:
                team.append(self.inbox_assignee(user.username, account_id))
            except InvalidAction:
                continue
        return team

    def _people(self) -> list[str]:
        """Every enabled console user (crisis notices go to them all)."""
        return [user.username for user in self.users.all_users() if not user.disabled]

    # -- the inbox as crisis mode reads it ------------------------------------------------
    def _queued_replies(self) -> list[ReplyFact]:
        found = []
        for item_id in self.inbox.index.pending_reply_ids():
            try:
                item = self.inbox.get(item_id)
            except ItemNotFound:
                continue
            found += [_reply_fact(item, reply) for reply in item.pending_replies]
        return found

    def _item_account(self, item_id: str) -> str | None:
        try:
            return self.inbox.get(item_id).account_id
        except ItemNotFound:
            return None

    def _replies_of(self, item_id: str) -> list[ReplyFact]:
        try:
            item = self.inbox.get(item_id)
        except ItemNotFound:
            return []
        return [_reply_fact(item, reply) for reply in item.replies]

    # -- what the governance file names that the workspace lacks -------------------------
    def staffing_warnings(self, policy: GovernancePolicy | None = None,
                          text: str | None = None) -> list[PolicyProblem]:
        """Owners who are not (enabled) users and stage roles nobody holds, each on its
        line: of ``policy`` read from ``text``, or of the governance file in force."""
        if policy is None:
            policy = self.governance.policy
            try:
                text = policy.source.read_text(encoding="utf-8") if policy.source else ""
            except (OSError, UnicodeDecodeError):
                text = ""       # the warnings come without their lines
        users = self.users.all_users()
        staff = Staff({user.username: user.role for user in users if not user.disabled},
                      frozenset(user.username for user in users if user.disabled))
        return staffing_warnings(policy, text or "", staff)

    # -- posts and approvals ------------------------------------------------------------
    def post_target(self, account_id: str) -> Target | None:
        """A connected account as the content checks see it; the governance file's
        region for it, when it names one, wins over the platform's."""
        account = self._accounts_by_id().get(account_id)
        if account is None:
            return None
        region = self.governance.content.account(account_id).region or account.region
        return Target(account_id, account.platform, region)

    def _image_attachment(self, asset_id: str) -> Attachment:
        """A library image a post may use now (LibraryError saying why not)."""
        return self.library.require_usable(asset_id, kind="image").attachment()

    def _active_role(self, username: str) -> str | None:
        user = self.users.find(username)
        return None if user is None or user.disabled else user.role

    def _approvers_holding(self, role: str) -> list[tuple[str, Scope]]:
        """The users with ``role`` who may approve posts now, with their scopes."""
        roles = self.governance.roles
        if role not in roles or POST_APPROVE not in roles.permissions_of(role):
            return []
        # Whose permission lapsed (disabled, or training out of date) cannot be waited for.
        return [(user.username, user.scope) for user in self.users.all_users()
                if user.role == role and POST_APPROVE in self.users.access(user).permissions]

    def make_account_adapters(self) -> AccountAdapters:
        """The adapters the worker's jobs share: the sandbox's, then the connected accounts'."""
        return AccountAdapters(self.platform_accounts, self.store, builtin=self._sandbox_adapters)

    def _sandbox_adapters(self) -> dict[str, PlatformAdapter]:
        from integrations.sandbox import SandboxAdapter  # loads the traffic corpora: the worker's, not the start's

        settings = self.config.sandbox
        # A first sync starts with two hours of backlog: enough to triage at
        # once, not thousands of items breached before anyone looked.
        backlog_from = self.clock() - timedelta(hours=2)
        return {
            account.account_id: SandboxAdapter(account, seed=settings.seed, clock=self.clock,
                                               rate_per_hour=settings.rate_per_hour,
                                               history_start=backlog_from,
                                               # what the sandbox "platform" holds is shared by every process
                                               platform_dir=self.paths.state_dir)
            for account in self.accounts if account.platform == "sandbox"
        }

    def _publishing_problem(self, account_id: str) -> str:
        """Why an account cannot publish now, as far as the sync records tell ("" when it can)."""
        if account_id in accounts_needing_reconnect(self.store):
            return f"{account_id} needs reconnecting (the platform refused its credential); reconnect it, then retry"
        return ""

    def _media_for(self, post) -> tuple[MediaAttachment, ...]:
        """A post's library images as the adapters take them: bytes, alt text, type, size."""
        media = []
        for asset_id in post.assets:
            asset = self.library.require_usable(asset_id, kind="image")
            media.append(MediaAttachment(alt_text=asset.alt_text, mime_type=asset.mime_type,
                                         data=self.library.file_path(asset).read_bytes(),
                                         filename=asset.file_name, width=asset.width, height=asset.height))
        return tuple(media)

    def needs_reconnect(self) -> tuple[str, ...]:
        return accounts_needing_reconnect(self.store)

    def account_states(self, actor) -> list[AccountState]:
        """Every account with its sync state: the sandbox's, then the connected ones."""
        states = [AccountState(ref, "", "sandbox") for ref in self.accounts if ref.platform == "sandbox"]
        for account in self.platform_accounts.list(actor):
            sync = self.store.get(SYNC, account.ref.account_id) or {}
            states.append(AccountState(account.ref, account.base_url, sync.get("state") or "not synced yet",
                                       str(sync.get("detail") or "")))
        return states

    def store_warnings(self) -> list[str]:
        """What the store found wrong when it opened (torn journal lines, unreadable snapshots)."""
        return list(self.store.warnings)

    # -- the worker -------------------------------------------------------------------
    def worker_jobs(self, adapters: AccountAdapters) -> list[Job]:
        """The worker's jobs, in the order each pass runs them."""
        poll = timedelta(seconds=self.config.poll_seconds)
        return [
            SyncInbound(self.store, self.inbox, adapters, sla=self.config.sla, interval=poll),
            SendReplies(self.store, self.inbox, self.audit, adapters, interval=poll,
                        held=lambda author, account_id: self.crisis.reply_held(author, account_id)),
            WakeSnoozed(self.store, self.inbox, self.audit),
            ExpirePosts(self.approvals),
            PublishDue(self.store, self.publisher, adapters),
            CompactStore(self.store),
        ]

    def make_worker(self) -> JobRunner:
        adapters = self.make_account_adapters()
        return JobRunner(self.store, self.worker_jobs(adapters), clock=self.clock, resources=[adapters])

    def job_health(self) -> list[JobHealth]:
        """Each of the worker's jobs as its last record says (empty for one that never ran)."""
        stored = read_job_health(self.store)
        return [stored.get(job.name) or JobHealth(job.name, job.interval)
                for job in self.worker_jobs(self.make_account_adapters())]

    def worker_status(self) -> WorkerStatus:
        """The in-process worker's last report or, when another process runs
        the worker (or none does), what the lock, the sync and the job records say."""
        with self._status_lock:
            if self._loop_active:
                return self._status
        last_sync = max((r.get("last_sync_at") or "" for r in self.store.records(SYNC)), default="")
        holder = self.worker_lock.holder()
        failing: tuple[str, ...] = ()
        if holder:
            state, detail = "external", f"worker run by {holder}"
            now = self.clock()
            failing = tuple(health.name for health in read_job_health(self.store).values()
                            if health.failing or health.problem(now))
        else:
            state, detail = "stopped", "no worker is running; start `socops worker` or a console without --no-worker"
        return WorkerStatus(state, detail, parse_time(last_sync) if last_sync else None,
                            self.needs_reconnect(), failing)

    def run_worker_loop(self, stop: threading.Event,
                        on_status: Callable[[WorkerStatus], None] = lambda status: None) -> None:
        """Run the worker in this thread until ``stop`` is set (for the TUI and ``socops worker``)."""

        def remember(status: WorkerStatus) -> None:
            status = replace(status, needs_reconnect=self.needs_reconnect())
            with self._status_lock:
                self._status = status
            on_status(status)

        with self._status_lock:
            self._loop_active = True
        try:
            self.make_worker().run_forever(self.worker_lock, stop, remember)
        finally:
            with self._status_lock:
                self._loop_active = False

    def close(self) -> None:
        self.worker_lock.release()
        self.store.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
