"""The first screen: log in, or on a first run create the owner.

Login is a user name, a TOTP code and, for users who have one, a passphrase
(never echoed). The service checks everything (wrong codes, replays, the
lockout); this screen only shows its answer, as plain text under the form.
Checks run in thread workers: each one writes an audit event.

With no console user yet, the screen creates the owner instead: user name,
optional display name and passphrase, then the enrolment (the TOTP key as an
``otpauth://`` URI and a QR code), and a first code from the authenticator
app, which logs the owner in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from console.errors import ConsoleError
from console.identity import PassphraseRequired
from console.untrusted import one_line
from screens.conditions import ConditionBanner
from screens.widgets.code_entry import CODE_DIGITS, CodeForm, clean_code

log = logging.getLogger("socops.screens")

#: Rows the enrolment needs besides the QR code itself (text, field, hints, borders).
ENROLMENT_ROWS = 15

FORM_CSS = """
    #login-box > Vertical {
        height: auto;
        border: round $primary;
        border-title-color: $text-primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    .form--intro { height: auto; margin-bottom: 1; }
    .form--row { height: 1; margin-bottom: 1; }
    .form--row > Label { width: 16; color: $text-muted; }
    .form--row > Input { width: 1fr; background: $boost; }
    .form--error { color: $text-error; height: auto; }
    .form--error.-empty { display: none; }
    .form--hint { color: $text-muted; height: auto; }
"""


def key_groups(secret: str) -> str:
    """``ABCD EFGH …``: a TOTP key in groups of four, easier to type by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


class LoggedIn(Message):
    """Someone logged in; ``session`` acts for them from now on."""

    def __init__(self, session) -> None:
        super().__init__()
        self.session = session


class GateForm(Vertical):
    """A bordered form whose submit runs a service call in a thread worker."""

    busy = False
    #: Typing again clears the error line (the enrolment form keeps its own).
    clears_error_on_typing = True

    def field(self, field_id: str) -> Input:
        return self.query_one(f"#{field_id}", Input)

    def show_error(self, message: str) -> None:
        error = self.query_one(".form--error", Static)
        error.update(Text(message))
        error.set_class(not message, "-empty")

    def show_hint(self, message: str) -> None:
        self.query_one(".form--hint", Static).update(Text(message))

    @on(Input.Changed)
    def edited(self, event: Input.Changed) -> None:
        if event.value and self.clears_error_on_typing:  # not the fields this form cleared itself
            self.show_error("")

    def run_call(self, call: Callable[[], object], done: Callable[[object], None],
                 refused: Callable[[ConsoleError], None]) -> None:
        """``call()`` in a thread; ``done(result)`` or ``refused(error)`` back on the UI thread."""
        self.busy = True

        def work() -> None:
            try:
                result = call()
            except ConsoleError as error:
                self.app.call_from_thread(self._finish, refused, error)
            except Exception as error:
                log.exception("a login step failed")
                self.app.call_from_thread(self._finish, refused,
                                          ConsoleError(f"that did not work ({error}); see the log, and try again"))
            else:
                self.app.call_from_thread(self._finish, done, result)

        self.run_worker(work, thread=True, group="login", exit_on_error=False)

    def _finish(self, callback: Callable, value: object) -> None:
        self.busy = False
        callback(value)


class LoginForm(GateForm):
    """User name, code and (where the user has one) passphrase."""

    HINT = "Enter logs in · Tab moves between fields · Ctrl+Q quits"

    def __init__(self, username: str = "") -> None:
        super().__init__(id="login-form")
        self.initial_username = username

    def compose(self) -> ComposeResult:
        self.border_title = Text("Log in")
        with Horizontal(classes="form--row"):
            yield Label("User name")
            yield Input(self.initial_username, placeholder="your console user name", compact=True,
                        select_on_focus=True, id="login-user")
        with Horizontal(classes="form--row"):
            yield Label("Code")
            yield Input(placeholder=f"{CODE_DIGITS} digits from your authenticator app", compact=True,
                        restrict=r"[0-9 ]*", max_length=CODE_DIGITS + 2, id="login-code")
        with Horizontal(classes="form--row -hidden", id="login-passphrase-row"):
            yield Label("Passphrase")
            yield Input(placeholder="your passphrase (not shown)", compact=True, password=True,
                        id="login-passphrase")
        yield Static(Text(""), classes="form--error -empty")
        yield Static(Text(self.HINT), classes="form--hint")

    def on_mount(self) -> None:
        self.field("login-code" if self.initial_username else "login-user").focus()

    @property
    def asks_passphrase(self) -> bool:
        return not self.query_one("#login-passphrase-row").has_class("-hidden")

    def ask_passphrase(self, show: bool = True) -> None:
        self.query_one("#login-passphrase-row").set_class(not show, "-hidden")

    @on(Input.Blurred, "#login-user")
    def user_left(self) -> None:
        self._check_passphrase_needed()

    def _check_passphrase_needed(self) -> None:
        name = self.field("login-user").value.strip()
        if name and self.app.workspace.auth.needs_passphrase(name):  # type: ignore[attr-defined]
            self.ask_passphrase()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        if self.busy:
            return
        user, code, phrase = self.field("login-user"), self.field("login-code"), self.field("login-passphrase")
        if event.input is user:
            self._check_passphrase_needed()
        if not user.value.strip():
            user.focus()
            return
        if len(clean_code(code.value)) != CODE_DIGITS:
            if event.input is code:
                self.show_error(f"A code has {CODE_DIGITS} digits: type the one your authenticator app "
                                "shows now.")
            code.focus()
            return
        if self.asks_passphrase and not phrase.value:
            phrase.focus()
            return
        username = user.value.strip()
        passphrase = phrase.value if self.asks_passphrase else None
        auth = self.app.workspace.auth  # type: ignore[attr-defined]
        self.show_error("")
        self.show_hint("Logging in…")
        self.run_call(lambda: auth.login(username, clean_code(code.value), passphrase),
                      self._logged_in, self._refused)

    def _logged_in(self, session) -> None:
        self.show_hint(f"Logged in as {session.name}")
        self.post_message(LoggedIn(session))

    def _refused(self, error: ConsoleError) -> None:
        self.show_hint(self.HINT)
        code, phrase = self.field("login-code"), self.field("login-passphrase")
        if isinstance(error, PassphraseRequired):
            self.ask_passphrase()
            self.show_error("Enter your passphrase too, then press Enter.")
            phrase.focus()
            return
        self.show_error(str(error)[:1].upper() + str(error)[1:] + ".")
        code.value = ""
        phrase.value = ""
        code.focus()


class OwnerForm(GateForm):
    """First run: the owner's user name, display name and optional passphrase."""

    HINT = "Enter creates the owner · Tab moves between fields · Ctrl+Q quits"

    class Created(Message):
        def __init__(self, enrollment, passphrase: str | None) -> None:
            super().__init__()
            self.enrollment = enrollment
            self.passphrase = passphrase

    def __init__(self, username: str = "") -> None:
        super().__init__(id="owner-form")
        self.initial_username = username

    def compose(self) -> ComposeResult:
        self.border_title = Text("Create the owner")
        yield Static(Text("No console users yet. Create the owner: the first person, who can add "
                          "everyone else. Logging in takes a code from an authenticator app."),
                     classes="form--intro")
        for field_id, label, value, placeholder, secret in (
            ("owner-user", "User name", self.initial_username, "2-32 of a-z 0-9 . _ -", False),
            ("owner-name", "Display name", "", "optional", False),
            ("owner-passphrase", "Passphrase", "", "optional, 8+ characters (not shown)", True),
            ("owner-repeat", "Repeat it", "", "the same passphrase again", True),
        ):
            with Horizontal(classes="form--row"):
                yield Label(label)
                yield Input(value, placeholder=placeholder, compact=True, password=secret, id=field_id)
        yield Static(Text(""), classes="form--error -empty")
        yield Static(Text(self.HINT), classes="form--hint")

    def on_mount(self) -> None:
        self.field("owner-user").focus()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        if self.busy:
            return
        user = self.field("owner-user")
        phrase, repeat = self.field("owner-passphrase").value, self.field("owner-repeat").value
        if not user.value.strip():
            user.focus()
            return
        # Enter moves on through the form; it creates the owner from the passphrase
        # field when that is left empty (no passphrase), or from the last field.
        if event.input.id in ("owner-user", "owner-name") or (event.input.id == "owner-passphrase" and phrase):
            self.screen.focus_next()
            return
        if phrase != repeat:
            self.show_error("The two passphrases differ; type them again (or leave both empty).")
            self.field("owner-passphrase").value = self.field("owner-repeat").value = ""
            self.field("owner-passphrase").focus()
            return
        users = self.app.workspace.users  # type: ignore[attr-defined]
        username, display = user.value.strip(), self.field("owner-name").value.strip()
        passphrase = phrase or None
        self.show_hint("Creating the owner…")
        self.run_call(lambda: users.bootstrap_owner(username, display, passphrase, confirm_by_login=True),
                      lambda enrollment: self.post_message(self.Created(enrollment, passphrase)),
                      self._refused)

    def _refused(self, error: ConsoleError) -> None:
        self.show_hint(self.HINT)
        self.show_error(str(error)[:1].upper() + str(error)[1:] + ".")


class EnrolmentForm(GateForm):
    """The new owner's TOTP key (URI, key, QR code) and their first code."""

    clears_error_on_typing = False

    BINDINGS = [Binding("f2", "show_qr", "QR code", id="login.show_qr")]

    def __init__(self, enrollment, passphrase: str | None) -> None:
        super().__init__(id="enrolment-form")
        self.enrollment = enrollment
        self.passphrase = passphrase
        self.session = None
        self.qr_rows = enrollment.qr_text.count("\n") + 1

    def compose(self) -> ComposeResult:
        enrollment = self.enrollment
        self.border_title = Text(f"Enrol {enrollment.username}'s authenticator")
        yield Static(Text(enrollment.qr_text, no_wrap=True, overflow="crop"), id="enrolment-qr",
                     classes="-hidden")
        yield Static(Text.assemble(
            "Add socops to an authenticator app: scan the QR code (F2 shows it) or type this key:\n  ",
            (key_groups(enrollment.secret), "bold"),
            "\nor open this link on the phone:\n",
            (enrollment.uri, "underline"),
        ), classes="form--intro")
        yield Static(Text("Then type the code the app shows, to confirm and log in:"))
        yield CodeForm(self._confirm, hint="Enter confirms and logs in · F2 shows the QR code · Ctrl+Q quits")

    def on_mount(self) -> None:
        self.fit_qr()

    def fit_qr(self) -> bool:
        """Show the QR code in the form when the terminal is tall enough; True if it shows."""
        fits = self.app.size.height >= self.qr_rows + ENROLMENT_ROWS
        self.query_one("#enrolment-qr").set_class(not fits, "-hidden")
        return fits

    def _confirm(self, code: str) -> None:
        # runs in CodeForm's worker thread; the session is read after Accepted
        self.session = self.app.workspace.auth.login(  # type: ignore[attr-defined]
            self.enrollment.username, code, self.passphrase)

    @on(CodeForm.Accepted)
    def confirmed(self, event: CodeForm.Accepted) -> None:
        event.stop()
        self.post_message(LoggedIn(self.session))

    def action_show_qr(self) -> None:
        self.app.push_screen(QrCodeScreen(self.enrollment.username, self.enrollment.qr_text))


class QrCodeScreen(Screen[None]):
    """The enrolment QR code alone, as large as the terminal allows; any listed key returns."""

    DEFAULT_CSS = """
    QrCodeScreen { align: center middle; }
    QrCodeScreen > Static { width: auto; height: auto; }
    QrCodeScreen > .qr--hint { color: $text-muted; }
    """

    BINDINGS = [Binding("escape,enter,f2,q,space", "close", "Back", id="qr.close")]

    GATE = True

    def __init__(self, username: str, qr_text: str) -> None:
        super().__init__()
        self.username = username
        self.qr_text = qr_text

    def compose(self) -> ComposeResult:
        yield Static(Text(self.qr_text, no_wrap=True, overflow="crop"))
        yield Static(Text(f"Scan for {self.username} · Enter returns"), classes="qr--hint")

    def action_close(self) -> None:
        self.dismiss(None)


class LoginScreen(Screen[None]):
    """Before any panel: log in, or create the owner on a first run."""

    DEFAULT_CSS = """
    LoginScreen {
        align: center middle;
        #login-box { width: 72; max-width: 100%; height: auto; max-height: 100%; }
        .login--title { text-style: bold; width: 100%; text-align: center; }
        .login--subtitle { color: $text-muted; width: 100%; text-align: center; margin-bottom: 1; }
        .-hidden { display: none; }
        /* Under the form, never over it: the box centres in what is left. */
        ConditionBanner { dock: bottom; max-height: 6; }
    """ + FORM_CSS + "}"

    HELP_TITLE = "Login keys"
    GATE = True

    def compose(self) -> ComposeResult:
        workspace = self.app.workspace  # type: ignore[attr-defined]
        yield ConditionBanner(everything=True)
        with Vertical(id="login-box"):
            yield Static(Text(f"socops · {one_line(workspace.config.name, 40)}"), classes="login--title")
            yield Static(Text("Keyboard console for the social media team"), classes="login--subtitle")
            if workspace.users.needs_bootstrap():
                yield OwnerForm(workspace.operator if _valid_name(workspace.operator) else "")
            else:
                yield LoginForm(workspace.operator if workspace.users.find(workspace.operator) else "")

    @on(OwnerForm.Created)
    def owner_created(self, event: OwnerForm.Created) -> None:
        self.query_one(OwnerForm).remove()
        form = EnrolmentForm(event.enrollment, event.passphrase)
        self.query_one("#login-box").mount(form)
        # At 80x24 the code does not fit beside the form: show it on its own first.
        self.call_after_refresh(lambda: form.fit_qr() or form.action_show_qr())

    def on_resize(self) -> None:
        for form in self.query(EnrolmentForm):
            form.fit_qr()

    @on(LoggedIn)
    def logged_in(self, event: LoggedIn) -> None:
        self.app.start_session(event.session)  # type: ignore[attr-defined]


def _valid_name(name: str) -> bool:
    from console.identity import USERNAME_PATTERN

    return bool(USERNAME_PATTERN.fullmatch(name or ""))
