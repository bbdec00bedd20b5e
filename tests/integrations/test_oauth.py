"""integrations.oauth: PKCE, URLs, the loopback receiver, token calls, the whole flow."""

from __future__ import annotations

import asyncio
import base64
import json
import string
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given, strategies as st

from integrations.base import AuthError, PermanentError, TransientError
from integrations.http import HttpTransport
from integrations.oauth import (
    LoopbackReceiver,
    OAuthClient,
    TokenSet,
    authorization_url,
    code_from_redirect,
    exchange_code,
    linkedin_client,
    mastodon_client,
    new_state,
    pkce_challenge,
    pkce_pair,
    refresh_tokens,
    register_mastodon_app,
    run_authorization,
    x_client,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
CODE = "the-auth-code-Zq81"
VERIFIER = "the-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
SECRET = "client-secret-77"
ACCESS = "access-token-AAA"
REFRESH = "refresh-token-RRR"
UNRESERVED = set(string.ascii_letters + string.digits + "-._~")


def run(coro):
    return asyncio.run(coro)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def local_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(trust_env=False, timeout=5)


# -- PKCE, state, URLs ---------------------------------------------------------


def test_pkce_matches_rfc7636_appendix_b():
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_pkce_pair_is_fresh_and_well_formed():
    pairs = {pkce_pair() for _ in range(20)}
    assert len(pairs) == 20
    for verifier, challenge in pairs:
        assert 43 <= len(verifier) <= 128 and set(verifier) <= UNRESERVED
        assert challenge == pkce_challenge(verifier) and "=" not in challenge
    states = {new_state() for _ in range(20)}
    assert len(states) == 20 and all(len(s) >= 32 and set(s) <= UNRESERVED for s in states)


@pytest.mark.parametrize(
    "client, base, scopes, pkce",
    [
        (x_client("cid"), "https://x.com/i/oauth2/authorize",
         "tweet.read tweet.write users.read dm.read dm.write media.write offline.access", True),
        (linkedin_client("cid", SECRET), "https://www.linkedin.com/oauth/v2/authorization",
         "w_organization_social r_organization_social rw_organization_admin", False),
        (mastodon_client("https://m.example/", "cid", SECRET), "https://m.example/oauth/authorize",
         "read:notifications read:statuses write:statuses write:media read:search "
         "write:conversations profile", True),
    ],
)
def test_authorization_url_per_preset(client, base, scopes, pkce):
    url = authorization_url(client, "http://127.0.0.1:8765/callback", "st4te", "chall")
    assert url.startswith(base + "?")
    assert "%20" in url and "+" not in url  # scope spaces encoded as %20
    q = query_of(url)
    assert q["response_type"] == "code" and q["client_id"] == "cid"
    assert q["redirect_uri"] == "http://127.0.0.1:8765/callback"
    assert q["scope"] == scopes and q["state"] == "st4te"
    if pkce:
        assert q["code_challenge"] == "chall" and q["code_challenge_method"] == "S256"
    else:
        assert "code_challenge" not in q and "code_challenge_method" not in q
    assert SECRET not in url


def test_presets_details():
    assert x_client("cid").client_auth == "body"
    x = x_client("cid", SECRET)
    assert x.client_auth == "basic" and x.token_url == "https://api.x.com/2/oauth2/token"
    assert SECRET not in repr(x)
    li = linkedin_client("cid", SECRET)
    assert li.client_auth == "body" and li.token_url == "https://www.linkedin.com/oauth/v2/accessToken"
    assert linkedin_client("cid", SECRET, use_pkce=True).use_pkce
    m = mastodon_client("m.example", "cid", SECRET, force_login=True)
    assert m.token_url == "https://m.example/oauth/token" and m.client_auth == "body"
    assert query_of(authorization_url(m, "http://127.0.0.1:1/callback", "s", "c"))["force_login"] == "true"
    with pytest.raises(ValueError):
        OAuthClient("p", "https://a", "https://t", "cid", client_auth="header")


# -- the loopback receiver -----------------------------------------------------


async def _receive(query: str, *, path: str = "/callback", first: str = ""):
    """Start a receiver, send ``first`` (if any) and then ``query``; return pages and outcome."""
    async with LoopbackReceiver(platform="x") as receiver:
        base = receiver.redirect_uri.removesuffix("/callback")
        waiting = asyncio.create_task(receiver.wait_for_code("good-state", timeout=5))
        pages = []
        async with local_client() as browser:
            if first:
                pages.append(await browser.get(base + "/callback?" + first))
                await asyncio.sleep(0.01)
                assert not waiting.done()  # a stray request does not end the flow
            pages.append(await browser.get(base + path + "?" + query))
        if not waiting.done():
            waiting.cancel()
        outcome = await asyncio.gather(waiting, return_exceptions=True)
        return pages, outcome[0]


def test_receiver_returns_the_code_and_never_shows_it():
    pages, outcome = run(_receive(f"code={CODE}&state=good-state"))
    assert outcome == CODE
    assert pages[0].status_code == 200
    assert pages[0].text.strip() == "socops: connected, you can close this tab"
    assert pages[0].headers["content-type"].startswith("text/plain")
    assert CODE not in pages[0].text


def test_receiver_answers_400_to_a_wrong_state_and_keeps_waiting():
    pages, outcome = run(_receive(f"code={CODE}&state=good-state", first="code=forged&state=bad"))
    assert pages[0].status_code == 400 and "forged" not in pages[0].text
    assert outcome == CODE
    pages, outcome = run(_receive(f"code={CODE}&state=good-state", first="error=access_denied"))
    assert pages[0].status_code == 400 and outcome == CODE  # a forged error does not end it either


def test_receiver_raises_auth_error_on_access_denied():
    query = "error=access_denied&error_description=User%20said%20no%3Cscript%3E%0A%1b[31m&state=good-state"
    pages, outcome = run(_receive(query))
    assert isinstance(outcome, AuthError)
    assert "access_denied" in str(outcome) and "User said no<script>" in str(outcome)
    assert "\x1b" not in str(outcome) and "\n" not in str(outcome)
    assert pages[0].status_code == 400 and pages[0].headers["content-type"].startswith("text/plain")
    assert "access_denied" in pages[0].text


def test_receiver_other_paths_are_404_and_do_not_end_the_flow():
    async def scenario():
        async with LoopbackReceiver() as receiver:
            base = receiver.redirect_uri.removesuffix("/callback")
            waiting = asyncio.create_task(receiver.wait_for_code("s", timeout=5))
            async with local_client() as browser:
                other = await browser.get(base + "/other?code=x&state=s")
                favicon = await browser.get(base + "/favicon.ico")
                post = await browser.post(base + "/callback?code=x&state=s")
                assert not waiting.done()
                await browser.get(base + "/callback?code=real&state=s")
            return other.status_code, favicon.status_code, post.status_code, await waiting

    assert run(scenario()) == (404, 404, 405, "real")


def test_receiver_refuses_an_oversized_request():
    async def scenario():
        async with LoopbackReceiver() as receiver:
            waiting = asyncio.create_task(receiver.wait_for_code("s", timeout=5))
            reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
            writer.write(b"GET /callback?code=x&state=s HTTP/1.1\r\nHost: a\r\nX-Pad: "
                         + b"a" * 40_000 + b"\r\n\r\n")
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), 5)
            writer.close()
            assert not waiting.done()
            waiting.cancel()
            return answer

    answer = run(scenario())
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_receiver_accepts_a_redirect_that_beats_wait_for_code():
    async def scenario():
        async with LoopbackReceiver() as receiver:
            async with local_client() as browser:
                early = asyncio.create_task(browser.get(receiver.redirect_uri + "?code=c1&state=s"))
                await asyncio.sleep(0.05)
                code = await receiver.wait_for_code("s", timeout=5)
                return code, (await early).status_code

    assert run(scenario()) == ("c1", 200)


def test_receiver_times_out():
    async def scenario():
        async with LoopbackReceiver(platform="x") as receiver:
            await receiver.wait_for_code("s", timeout=0.05)

    with pytest.raises(PermanentError, match="no answer from the browser within 0.05 s"):
        run(scenario())


def test_receiver_fixed_port_and_busy_port():
    async def scenario():
        async with LoopbackReceiver() as first:
            port = first.port
            assert first.redirect_uri == f"http://127.0.0.1:{port}/callback"
            with pytest.raises(PermanentError, match=f"port {port}"):
                async with LoopbackReceiver(port):
                    pass
        async with LoopbackReceiver(port) as again:  # a free fixed port works
            return again.redirect_uri == f"http://127.0.0.1:{port}/callback"

    assert run(scenario())


# -- pasted redirects ----------------------------------------------------------


@pytest.mark.parametrize("pasted", [
    f"http://127.0.0.1:8765/callback?state=s1&code={CODE}",
    f"  http://127.0.0.1:8765/callback?code={CODE}&state=s1#frag \n",
    f"?code={CODE}&state=s1",
    f"code={CODE}&state=s1",
])
def test_code_from_redirect_accepts_url_or_query(pasted):
    assert code_from_redirect(pasted, "s1") == CODE


@pytest.mark.parametrize("pasted, words", [
    (f"http://127.0.0.1/callback?code={CODE}&state=other", "state does not match"),
    (f"http://127.0.0.1/callback?code={CODE}", "state does not match"),
    ("http://127.0.0.1/callback?state=s1", "no authorization code"),
    ("http://127.0.0.1/callback?error=access_denied&state=s1", "access_denied"),
    ("", "not the redirected address"),
    ("hello there", "not the redirected address"),
])
def test_code_from_redirect_errors(pasted, words):
    with pytest.raises(PermanentError, match=words) as err:
        code_from_redirect(pasted, "s1")
    assert CODE not in str(err.value)


# -- token calls ---------------------------------------------------------------


def token_server(*responses):
    calls: list[httpx.Request] = []
    seq = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return seq.pop(0) if len(seq) > 1 else seq[0]

    return httpx.AsyncClient(transport=httpx.MockTransport(handler)), calls


def form_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


GRANT = {"access_token": ACCESS, "token_type": "bearer", "expires_in": 7200,
         "refresh_token": REFRESH, "scope": "tweet.read offline.access"}


def test_exchange_code_confidential_x_uses_basic_auth():
    http, calls = token_server(httpx.Response(200, json=GRANT))
    tokens = run(exchange_code(http, x_client("cid", SECRET), CODE, "http://127.0.0.1:1/callback",
                               VERIFIER, NOW))
    assert tokens == TokenSet(ACCESS, REFRESH, NOW + timedelta(seconds=7200), "tweet.read offline.access")
    request = calls[0]
    assert request.url == "https://api.x.com/2/oauth2/token"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(f"cid:{SECRET}".encode()).decode()
    assert form_of(request) == {"grant_type": "authorization_code", "code": CODE,
                                "redirect_uri": "http://127.0.0.1:1/callback", "code_verifier": VERIFIER}


def test_exchange_code_body_auth_for_linkedin_and_public_x():
    http, calls = token_server(httpx.Response(200, json={"access_token": ACCESS, "expires_in": 5184000}))
    tokens = run(exchange_code(http, linkedin_client("cid", SECRET), CODE, "http://r", "", NOW))
    assert tokens.expires_at == NOW + timedelta(days=60) and tokens.refresh_token == ""
    assert "authorization" not in calls[0].headers
    assert form_of(calls[0]) == {"grant_type": "authorization_code", "code": CODE,
                                 "redirect_uri": "http://r", "client_id": "cid", "client_secret": SECRET}
    http, calls = token_server(httpx.Response(200, json=GRANT))
    run(exchange_code(http, x_client("cid"), CODE, "http://r", VERIFIER, NOW))
    form = form_of(calls[0])
    assert form["client_id"] == "cid" and "client_secret" not in form
    assert form["code_verifier"] == VERIFIER and "authorization" not in calls[0].headers


def test_exchange_code_mastodon_token_never_expires():
    http, _ = token_server(httpx.Response(200, json={"access_token": ACCESS, "token_type": "Bearer",
                                                     "scope": "read:statuses", "created_at": 1}))
    tokens = run(exchange_code(http, mastodon_client("m.example", "cid", SECRET), CODE, "http://r",
                               VERIFIER, NOW))
    assert tokens.expires_at is None and tokens.scope == "read:statuses"


def test_invalid_grant_is_auth_error_without_secrets():
    body = {"error": "invalid_grant",
            "error_description": f"code {CODE} or verifier {VERIFIER} bad for {SECRET}"}
    http, calls = token_server(httpx.Response(400, json=body))
    with pytest.raises(AuthError, match="invalid_grant") as err:
        run(exchange_code(http, x_client("cid", SECRET), CODE, "http://r", VERIFIER, NOW))
    for secret in (CODE, VERIFIER, SECRET):
        assert secret not in str(err.value)
    body = {"error": "invalid_grant", "error_description": f"refresh {REFRESH} revoked"}
    http, _ = token_server(httpx.Response(400, json=body))
    with pytest.raises(AuthError) as err:
        run(refresh_tokens(http, x_client("cid"), REFRESH, NOW))
    assert REFRESH not in str(err.value)


@pytest.mark.parametrize("response, words", [
    (httpx.Response(200, text="<html>oops</html>"), "not JSON"),
    (httpx.Response(200, json=["x"]), "not a JSON object"),
    (httpx.Response(200, json={"token_type": "bearer"}), "no access_token"),
    (httpx.Response(200, json={"error": "invalid_grant"}), "no access_token"),
    (httpx.Response(200, json={"access_token": ""}), "no access_token"),
    (httpx.Response(200, json={"access_token": ACCESS, "token_type": "mac"}), "not Bearer"),
    (httpx.Response(200, json={"access_token": ACCESS, "expires_in": "soon"}), "expires_in"),
    (httpx.Response(200, json={"access_token": ACCESS, "expires_in": True}), "expires_in"),
    (httpx.Response(200, json={"access_token": ACCESS, "expires_in": -5}), "expires_in"),
    (httpx.Response(200, json={"access_token": ACCESS, "refresh_token": 5}), "refresh_token"),
    (httpx.Response(200, json={"access_token": ACCESS, "scope": ["a"]}), "scope"),
    (httpx.Response(200, json={"access_token": "tök€n"}), "printable ASCII"),
    (httpx.Response(200, json={"access_token": ACCESS, "refresh_token": "r\u0080"}), "printable ASCII"),
    (httpx.Response(400, json={"error": "invalid_scope"}), "invalid_scope"),
])
def test_malformed_or_refused_token_responses_are_permanent(response, words):
    http, _ = token_server(response)
    with pytest.raises(PermanentError, match=words) as err:
        run(exchange_code(http, x_client("cid", SECRET), CODE, "http://r", VERIFIER, NOW))
    for secret in (CODE, VERIFIER, SECRET, ACCESS):
        assert secret not in str(err.value)


def test_401_is_an_auth_error():
    http, _ = token_server(httpx.Response(401, json={"error": "invalid_client"}))
    with pytest.raises(AuthError, match="invalid_client"):
        run(exchange_code(http, x_client("cid", SECRET), CODE, "http://r", VERIFIER, NOW))


def test_exchange_is_not_retried_but_refresh_is_and_transport_token_is_not_sent():
    sleeps: list[float] = []

    async def sleep(s: float) -> None:
        sleeps.append(s)

    raw, calls = token_server(httpx.Response(503), httpx.Response(200, json=GRANT))
    transport = HttpTransport("x", raw, token="old-bearer", sleep=sleep, rand=lambda: 0.5)
    with pytest.raises(TransientError):
        run(exchange_code(transport, x_client("cid"), CODE, "http://r", VERIFIER, NOW))
    assert len(calls) == 1
    raw, calls = token_server(httpx.Response(503), httpx.Response(200, json={"access_token": "new"}))
    transport = HttpTransport("x", raw, token="old-bearer", sleep=sleep, rand=lambda: 0.5)
    tokens = run(refresh_tokens(transport, x_client("cid", SECRET), REFRESH, NOW))
    assert len(calls) == 2 and sleeps  # retried with the transport's own sleep
    assert all("old-bearer" not in r.headers.get("authorization", "") for r in calls)
    assert tokens.access_token == "new" and tokens.refresh_token == REFRESH  # old one kept
    assert form_of(calls[1]) == {"grant_type": "refresh_token", "refresh_token": REFRESH}


def test_refresh_takes_a_rotated_refresh_token():
    http, _ = token_server(httpx.Response(200, json={**GRANT, "refresh_token": "rotated"}))
    tokens = run(refresh_tokens(http, x_client("cid"), REFRESH, NOW))
    assert tokens.refresh_token == "rotated" and tokens.expires_at == NOW + timedelta(hours=2)


# -- TokenSet ------------------------------------------------------------------

offsets = st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-23 * 60, 23 * 60))


@given(
    access=st.text(min_size=1),
    refresh=st.text(),
    expires_at=st.none() | st.datetimes(timezones=offsets),
    scope=st.text(),
)
def test_tokenset_json_round_trip(access, refresh, expires_at, scope):
    tokens = TokenSet(access, refresh, expires_at, scope)
    back = TokenSet.from_json(tokens.to_json())
    assert back == tokens


@pytest.mark.parametrize("text", [
    "", "not json", "[]", "null", '{"refresh_token": "r"}', '{"access_token": ""}',
    '{"access_token": 5}', '{"access_token": "a", "scope": 3}', '{"access_token": "a", "refresh_token": null}',
    '{"access_token": "a", "expires_at": "tomorrow"}', '{"access_token": "a", "expires_at": 12}',
    '{"access_token": "a", "expires_at": "2026-01-01T00:00:00"}', '{"access_token": "a", "extra": 1}',
])
def test_malformed_credentials(text):
    with pytest.raises(PermanentError, match="malformed credential"):
        TokenSet.from_json(text)


def test_tokenset_repr_hides_tokens():
    tokens = TokenSet(ACCESS, REFRESH, NOW, "a b")
    assert ACCESS not in repr(tokens) and REFRESH not in repr(tokens) and ACCESS not in str(tokens)
    assert "a b" in repr(tokens)
    assert json.loads(tokens.to_json())["expires_at"] == NOW.isoformat()
    assert tokens.expires_within(NOW - timedelta(minutes=4))
    assert not tokens.expires_within(NOW - timedelta(minutes=6))
    with pytest.raises(ValueError):
        TokenSet(ACCESS, expires_at=datetime(2026, 1, 1))


# -- Mastodon app registration ---------------------------------------------------


def test_register_mastodon_app():
    http, calls = token_server(httpx.Response(200, json={"client_id": "cid", "client_secret": SECRET,
                                                         "name": "socops"}))
    got = run(register_mastodon_app(http, "https://m.example/", "http://127.0.0.1:8765/callback",
                                    ("read:statuses", "write:statuses"), website="https://socops.example"))
    assert got == ("cid", SECRET)
    assert calls[0].url == "https://m.example/api/v1/apps" and calls[0].method == "POST"
    assert form_of(calls[0]) == {"client_name": "socops", "redirect_uris": "http://127.0.0.1:8765/callback",
                                 "scopes": "read:statuses write:statuses", "website": "https://socops.example"}


@pytest.mark.parametrize("response", [
    httpx.Response(200, json={"client_id": "cid"}),
    httpx.Response(200, json=[1]),
    httpx.Response(200, text="nope"),
    httpx.Response(422, json={"error": "Validation failed: Redirect URI must be an absolute URI."}),
])
def test_register_mastodon_app_errors(response):
    http, _ = token_server(response)
    with pytest.raises(PermanentError):
        run(register_mastodon_app(http, "m.example", "http://127.0.0.1:1/callback", ("read",)))


# -- the whole flow ----------------------------------------------------------------


def flow_server():
    return token_server(httpx.Response(200, json=GRANT))


def test_run_authorization_paste_wins():
    http, calls = flow_server()
    shown: list[str] = []

    async def paste() -> str:
        while not shown:
            await asyncio.sleep(0.01)
        q = query_of(shown[0])
        return f"{q['redirect_uri']}?state={q['state']}&code={CODE}"

    tokens = run(run_authorization(x_client("cid"), open_browser=None, on_url=shown.append,
                                   http=http, now=NOW, timeout=5, paste=paste))
    assert tokens.access_token == ACCESS and tokens.expires_at == NOW + timedelta(hours=2)
    q, form = query_of(shown[0]), form_of(calls[0])
    assert form["code"] == CODE and form["redirect_uri"] == q["redirect_uri"]
    assert q["redirect_uri"].startswith("http://127.0.0.1:")
    assert pkce_challenge(form["code_verifier"]) == q["code_challenge"]


def test_run_authorization_loopback_wins_and_paste_is_cancelled():
    http, calls = flow_server()
    browser_hits: list[httpx.Response] = []
    cancelled: list[bool] = []

    async def paste() -> str:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise
        return ""

    async def scenario():
        tasks = []

        def open_browser(url: str) -> None:
            q = query_of(url)

            async def browse():
                async with local_client() as browser:
                    browser_hits.append(await browser.get(f"{q['redirect_uri']}?code={CODE}&state={q['state']}"))

            tasks.append(asyncio.create_task(browse()))

        tokens = await run_authorization(mastodon_client("m.example", "cid", SECRET),
                                         open_browser=open_browser, on_url=lambda url: None,
                                         http=http, now=lambda: NOW, timeout=5, paste=paste)
        await asyncio.gather(*tasks)
        return tokens

    tokens = run(scenario())
    assert tokens.access_token == ACCESS and cancelled == [True]
    assert browser_hits[0].status_code == 200 and CODE not in browser_hits[0].text
    assert form_of(calls[0])["client_secret"] == SECRET


def test_run_authorization_ignores_an_empty_paste_and_a_broken_browser():
    http, _ = flow_server()

    async def scenario():
        url_box: list[str] = []

        def open_browser(url: str) -> None:
            raise RuntimeError("no display")

        async def paste() -> str:
            return ""

        async def browse():
            while not url_box:
                await asyncio.sleep(0.01)
            q = query_of(url_box[0])
            async with local_client() as browser:
                await browser.get(f"{q['redirect_uri']}?code={CODE}&state={q['state']}")

        task = asyncio.create_task(browse())
        tokens = await run_authorization(x_client("cid"), open_browser=open_browser,
                                         on_url=url_box.append, http=http, now=NOW, timeout=5,
                                         paste=paste)
        await task
        return tokens

    assert run(scenario()).access_token == ACCESS


def test_run_authorization_rejects_a_paste_of_another_flow_and_times_out():
    http, calls = flow_server()

    async def paste() -> str:
        return f"http://127.0.0.1:1/callback?code={CODE}&state=stale"

    with pytest.raises(PermanentError, match="state does not match"):
        run(run_authorization(x_client("cid"), open_browser=None, on_url=lambda u: None,
                              http=http, now=NOW, timeout=5, paste=paste))
    with pytest.raises(PermanentError, match="no answer from the browser"):
        run(run_authorization(x_client("cid"), open_browser=None, on_url=lambda u: None,
                              http=http, now=NOW, timeout=0.05))
    assert calls == []


def test_cancelling_run_authorization_closes_the_listener():
    async def scenario():
        shown: list[str] = []
        flow = asyncio.create_task(run_authorization(
            x_client("cid"), open_browser=None, on_url=shown.append, http=flow_server()[0],
            now=NOW, timeout=5))
        while not shown:
            await asyncio.sleep(0.01)
        flow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await flow
        port = urlsplit(query_of(shown[0])["redirect_uri"]).port
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", port)

    run(scenario())
