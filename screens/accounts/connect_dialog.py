"""The Connect dialog: which platform, which account, and its credential.

Fields follow the platform chosen (:data:`console.accounts.platforms.PLATFORMS`): the
server only where there is one to choose (Bluesky, Mastodon), a Page id for
Instagram, and either a pasted credential or, where the platform offers it,
"sign in with the browser" (OAuth 2), which asks for the app's client id
instead. The dialog checks what it can (empty fields, the time zone) and
dismisses with a :class:`ConnectRequest`; the platform itself checks the
credential when the account service connects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static

from console.accounts import PLATFORMS, PlatformSpec
from screens.parsing import PromptError
from screens.widgets.prompts import PROMPT_CSS, ErrorLine


@dataclass(frozen=True)
class ConnectRequest:
    platform: str
    identifier: str
    server: str = ""
    region: str = ""
    timezone: str = "UTC"
    credential: str = ""          # pasted token / app password ("" with browser sign-in)
    browser_sign_in: bool = False
    client_id: str = ""
    client_secret: str = ""
    options: dict[str, str] = field(default_factory=dict)


def check_timezone(name: str) -> str:
    name = name.strip() or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PromptError(f"{name[:40]!r} is not a time zone; use an IANA name such as Europe/Madrid") from None
    return name


def build_request(spec: PlatformSpec, values: dict[str, str], browser: bool) -> ConnectRequest:
    """The request from the form's values; PromptError names the first problem."""
    identifier = values.get("identifier", "").strip()
    if not identifier:
        raise PromptError(f"Give the {spec.account_label}, e.g. {spec.account_hint}.")
    server = "" if spec.server_fixed else values.get("server", "").strip()
    if not spec.server_fixed and not spec.server and not server:
        raise PromptError(f"Give the {spec.title} server address, e.g. https://mastodon.social.")
    if server and not server.startswith(("https://", "http://")):
        raise PromptError(f"{server[:40]!r} is not a server address; start it with https://")
    options = {name: values.get(name, "").strip() for name in spec.options}
    for name in spec.options:
        if not options[name] and "optional" not in spec.option_hints.get(name, ""):
            raise PromptError(f"Give the {name.replace('_', ' ')}: {spec.option_hints.get(name, '')}.")
    credential = values.get("credential", "")
    client_id, client_secret = values.get("client_id", "").strip(), values.get("client_secret", "").strip()
    if browser:
        if spec.name != "mastodon" and not client_id:
            raise PromptError(f"Give the client id of your {spec.title} developer app.")
        if spec.name == "linkedin" and not client_secret:
            raise PromptError("LinkedIn's sign-in needs the app's client secret too.")
    elif not credential.strip():
        raise PromptError(f"Paste the {spec.credential}.")
    return ConnectRequest(spec.name, identifier.lstrip("@"), server, values.get("region", "").strip().upper(),
                          check_timezone(values.get("timezone", "")), credential.strip(), browser,
                          client_id, client_secret, {k: v for k, v in options.items() if v})


class ConnectDialog(ErrorLine, ModalScreen[ConnectRequest | None]):
    """Enter connects (the platform checks the credential first), Escape cancels."""

    DEFAULT_CSS = "ConnectDialog {" + PROMPT_CSS + """
        VerticalScroll { height: auto; max-height: 14; }
        Horizontal { height: 1; margin-bottom: 1; }
        Horizontal > Label { width: 14; color: $text-muted; }
        Horizontal > Input, Horizontal > Select { width: 1fr; }
        .-hidden { display: none; }
        Checkbox { margin: 0 0 1 14; border: none; padding: 0; height: 1; }
    }"""

    BINDINGS = [
        # Not a priority binding: Enter must still open and pick in the platform list.
        Binding("enter", "connect", "Connect", id="connect.apply"),
        Binding("escape", "cancel", "Cancel", id="connect.cancel"),
    ]

    def __init__(self, platform: str = "bluesky") -> None:
        super().__init__()
        self.platform = platform if platform in PLATFORMS else "bluesky"

    @property
    def spec(self) -> PlatformSpec:
        return PLATFORMS[self.platform]

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text("Connect an account")
            with VerticalScroll():
                with Horizontal():
                    yield Label("Platform")
                    yield Select([(spec.title, name) for name, spec in PLATFORMS.items()], value=self.platform,
                                 allow_blank=False, id="connect-platform", compact=True)
                yield from self._field("identifier", "Account")
                yield from self._field("server", "Server")
                yield from self._field("user_id", "User id")
                yield from self._field("page_id", "Page id")
                yield from self._field("region", "Region", placeholder="EU, NA, LATAM, APAC (for scopes and routes)")
                yield from self._field("timezone", "Time zone", value="UTC")
                yield Checkbox("Sign in with the browser (OAuth) instead of pasting a token", id="connect-browser")
                yield from self._field("credential", "Secret", password=True)
                yield from self._field("client_id", "Client id")
                yield from self._field("client_secret", "Client secret", password=True)
            yield Static(Text(""), classes="prompt--hint", id="connect-hint")
            yield Static(Text(""), classes="prompt--error -empty")

    def _field(self, name: str, label: str, *, value: str = "", placeholder: str = "",
               password: bool = False) -> ComposeResult:
        with Horizontal(id=f"row-{name}"):
            yield Label(label)
            yield Input(value, placeholder=placeholder, password=password, id=f"connect-{name}", compact=True)

    def on_mount(self) -> None:
        self._show_fields()
        self.query_one("#connect-identifier", Input).focus()

    @on(Select.Changed, "#connect-platform")
    def _platform_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in PLATFORMS:
            self.platform = event.value
            self._show_fields()

    @on(Checkbox.Changed, "#connect-browser")
    def _browser_toggled(self) -> None:
        self._show_fields()

    @property
    def browser(self) -> bool:
        return self.spec.oauth and self.query_one("#connect-browser", Checkbox).value

    def _show_fields(self) -> None:
        spec, browser = self.spec, self.browser
        shown = {
            "server": not spec.server_fixed,
            "user_id": "user_id" in spec.options,
            "page_id": "page_id" in spec.options,
            "credential": not browser,
            "client_id": browser and spec.name != "mastodon",
            "client_secret": browser and spec.name != "mastodon",
        }
        for name, visible in shown.items():
            self.query_one(f"#row-{name}").set_class(not visible, "-hidden")
        self.query_one("#connect-browser").set_class(not spec.oauth, "-hidden")
        self.query_one("#connect-identifier", Input).placeholder = f"{spec.account_label}, e.g. {spec.account_hint}"
        self.query_one("#connect-server", Input).placeholder = spec.server or "https://mastodon.social"
        self.query_one("#connect-credential", Input).placeholder = spec.credential
        for name in ("user_id", "page_id"):
            self.query_one(f"#connect-{name}", Input).placeholder = spec.option_hints.get(name, "")
        hint = (f"After Enter you open the sign-in address in a browser; paste back where it lands if "
                f"the browser is on another machine. {spec.notes}" if browser
                else f"The {spec.credential} goes to the OS keyring, never the store. {spec.notes}")
        self.query_one("#connect-hint", Static).update(Text(hint))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_connect()

    def action_connect(self) -> None:
        values = {widget.id.removeprefix("connect-"): widget.value for widget in self.query(Input)
                  if widget.id}
        try:
            request = build_request(self.spec, values, self.browser)
        except PromptError as error:
            self.show_error(str(error))
            return
        self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)
