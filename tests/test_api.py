"""The OpenAI-compatible API against the real server (launch.py) and the bundled model,
through OpenAI's own Python client: models, answers streamed and not, usage, sticky A/B
variants per `user`, leads, and every refusal in OpenAI's error shape. Also the raw
server-sent events a curl user sees, and the `apikey` command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import openai
import pytest
import requests

from runtime.assignments import pick
from runtime.experiments.report import report_for
from runtime.leads.store import LeadStore
from runtime.overview import by_channel
from runtime.spec import BotRepository
from runtime.store.api_keys import KEY, ApiKeys
from runtime.store.db import Journal
from runtime.store.settings import Settings
from tests.studio_kit import ROOT, running_studio

FAST = "model: {file: default, max_tokens: 24, temperature: 0, seed: 1}\nsafety: {rate_limit: null}"
BOTS = {
    "shop": f"""\
id: shop
name: Shop
language: en
persona: You sell coffee beans. Answer in one short sentence.
{FAST}
lead_capture:
  converted_when: [phone]
  fields:
    - {{key: phone, label: Phone, type: phone_cn, ask: "Your phone number?"}}
""",
    "ab": f"""\
id: ab
name: AB
language: en
persona: You sell tea. Answer in one short sentence.
{FAST}
variants:
  - {{id: A, weight: 50}}
  - {{id: B, weight: 50, persona: You sell green tea. Answer in one short sentence.}}
""",
    "other": f"id: other\nname: Other\nlanguage: en\npersona: You sell cups.\n{FAST}\n",
    "open": f"""\
id: open
name: Open
language: en
persona: You sell mugs.
{FAST}
api: {{allow_system: true}}
""",
    "broken": "id: broken\nname: Broken\nmodel: {temperature: 9}\n",
}
PASSWORD = "a studio password nobody sends"


def launch(data: Path, bots: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOTSTUDIO_LANG": "zh"}
    command = [sys.executable, "launch.py", "--bots", str(bots), "--data", str(data), *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("api")
    bots = home / "bots"
    bots.mkdir()
    for bot_id, text in BOTS.items():
        (bots / f"{bot_id}.yaml").write_text(text, encoding="utf-8")
    (home / "data").mkdir()
    settings = Settings(home / "data" / "settings.json")
    settings.set_password(PASSWORD)  # the studio's: API clients never send it
    keys = ApiKeys(settings)
    made = {
        "full": keys.create("full")[1],
        "limited": keys.create("limited", bots=["shop"])[1],
        "slow": keys.create("slow", rate="2/minute")[1],
    }
    with running_studio(home, env={"BOTSTUDIO_WECOM_API": "http://127.0.0.1:9"}) as url:
        yield {"url": url, "home": home, "keys": made}


def client(server, key: str = "") -> openai.OpenAI:
    # no retries: a 429 or 503 is the answer under test, not something to wait out
    return openai.OpenAI(
        base_url=server["url"] + "/v1", api_key=key or server["keys"]["full"], max_retries=0
    )


def journal(server) -> Journal:
    return Journal(server["home"] / "data" / "botstudio.sqlite3")


def inbox_row(server, msgid: str):
    return (
        journal(server)
        .connection()
        .execute("SELECT * FROM inbox WHERE channel = 'api' AND msgid = ?", (msgid,))
        .fetchone()
    )


def error_of(exc: openai.APIStatusError) -> dict:
    """The body's `error` object, as the server sent it."""
    body = exc.response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["message"]
    return body["error"]


# --- what a client sees when it works ---------------------------------------------------


def test_models_lists_the_bots_and_variants_the_key_may_use(server) -> None:
    listed = client(server).models.list()
    ids = [m.id for m in listed.data]
    assert sorted(ids) == ["ab", "ab:A", "ab:B", "open", "other", "shop"]  # not the broken one
    assert all(m.object == "model" and m.owned_by == "botstudio" for m in listed.data)
    assert all(isinstance(m.created, int) and m.created > 1_600_000_000 for m in listed.data)
    limited = client(server, server["keys"]["limited"]).models.list()
    assert [m.id for m in limited.data] == ["shop"]


def test_a_completion_answers_with_usage_and_is_journaled(server) -> None:
    answer = client(server).chat.completions.create(
        model="shop",
        messages=[{"role": "user", "content": "Do you sell coffee beans?"}],
        user="plain-1",
    )
    assert answer.object == "chat.completion" and answer.model == "shop"
    assert answer.id.startswith("chatcmpl-")
    choice = answer.choices[0]
    assert choice.message.role == "assistant" and choice.message.content.strip()
    assert choice.finish_reason == "stop"
    usage = answer.usage
    assert usage.prompt_tokens > 10 and 0 < usage.completion_tokens <= 24
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    row = inbox_row(server, answer.id)  # the durable path, under the channel `api`
    assert row["speaker"] == "api:full:plain-1" and row["state"] == "answered"
    assert row["answer"] == choice.message.content


def test_max_tokens_shortens_the_answer_but_never_lengthens_it(server) -> None:
    ask = client(server).chat.completions.create
    message = [{"role": "user", "content": "Tell me everything about your coffee beans."}]
    short = ask(model="shop", messages=message, max_tokens=3, user="short-1")
    assert 0 < short.usage.completion_tokens <= 3
    long = ask(model="shop", messages=message, max_completion_tokens=4000, user="long-1")
    assert 3 < long.usage.completion_tokens <= 24  # the bot's own max_tokens


def test_a_streamed_answer_joins_to_the_final_text_with_usage(server) -> None:
    stream = client(server).chat.completions.create(
        model="shop",
        messages=[
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": "Hi! How can I help?"},
            {"role": "user", "content": [{"type": "text", "text": "What do you sell?"}]},
        ],
        stream=True,
        stream_options={"include_usage": True},
        user="stream-1",
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    with_choices = [c for c in chunks if c.choices]
    assert with_choices[-1].choices[0].finish_reason == "stop"
    assert all(c.choices[0].finish_reason is None for c in with_choices[:-1])
    text = "".join(c.choices[0].delta.content or "" for c in with_choices)
    assert len([c for c in with_choices if c.choices[0].delta.content]) >= 2  # really streamed
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    assert 0 < last.usage.completion_tokens <= 24 and last.usage.prompt_tokens > 10
    row = inbox_row(server, chunks[0].id)
    assert row["state"] == "answered" and text.strip() == row["answer"]
    assert len({c.id for c in chunks}) == 1


def test_curl_sees_server_sent_events_ending_in_done(server) -> None:
    body = {
        "model": "shop",
        "stream": True,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    headers = {"Authorization": f"Bearer {server['keys']['full']}"}
    with requests.post(
        server["url"] + "/v1/chat/completions", json=body, headers=headers, stream=True, timeout=60
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines(decode_unicode=True) if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    first = json.loads(lines[0].removeprefix("data: "))
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert "usage" not in first  # only with stream_options.include_usage


def test_the_same_user_keeps_the_same_variant(server) -> None:
    spec = BotRepository(server["home"] / "bots", None, "en").load("ab")  # type: ignore[arg-type]
    people = [f"person-{i}" for i in range(12)]
    expected = {p: pick(spec, f"api:full:{p}") for p in people}
    people = [next(p for p in people if expected[p] == v) for v in ("A", "B")]
    ask = client(server).chat.completions.create
    for _ in range(2):
        for person in people:
            ask(model="ab", messages=[{"role": "user", "content": "Tea?"}], user=person)
    db = journal(server).connection()
    for person in people:
        assigned = db.execute(
            "SELECT variant FROM assignments WHERE bot_id = 'ab' AND user = ?",
            (f"api:full:{person}",),
        ).fetchall()
        assert [r[0] for r in assigned] == [expected[person]]
        answered = db.execute(
            "SELECT variant FROM events WHERE bot_id = 'ab' AND kind = 'message' AND user = ?",
            (f"api:full:{person}",),
        ).fetchall()
        assert [r[0] for r in answered] == [expected[person]] * 2


def test_the_reports_count_api_customers_under_the_api_channel(server) -> None:
    ask = client(server).chat.completions.create
    for person in ("channel-1", "channel-2"):
        ask(model="ab", messages=[{"role": "user", "content": "Tea?"}], user=person)
    spec = BotRepository(server["home"] / "bots", None, "en").load("ab")  # type: ignore[arg-type]

    def people(**only: str) -> int:
        report = report_for(journal(server), spec, "zh", **only)
        return sum(v["users"] for v in report["variants"])

    everyone = people()
    assert everyone >= 2 and people(channel="api") == everyone  # nobody came another way
    assert people(channel="wecom") == 0 and people(channel="web") == 0
    [row] = by_channel(journal(server), spec)
    assert row["channel"] == "api" and row["people"] == everyone
    assert row["replies"] >= everyone
    done = launch(
        server["home"] / "data", server["home"] / "bots", "report", "ab", "--channel", "api"
    )
    assert done.returncode == 0 and "只看从“API 接口”来的客户" in done.stdout
    done = launch(
        server["home"] / "data", server["home"] / "bots", "report", "ab", "--channel", "qq"
    )
    assert done.returncode == 2 and "没有这个渠道：qq" in done.stdout


def test_a_pinned_variant_answers_whoever_asks(server) -> None:
    spec = BotRepository(server["home"] / "bots", None, "en").load("ab")  # type: ignore[arg-type]
    person = next(f"pin-{i}" for i in range(50) if pick(spec, f"api:full:pin-{i}") == "A")
    answer = client(server).chat.completions.create(
        model="ab:B", messages=[{"role": "user", "content": "Tea?"}], user=person
    )
    assert answer.model == "ab:B"
    variant = (
        journal(server)
        .connection()
        .execute(
            "SELECT variant FROM events WHERE bot_id = 'ab' AND kind = 'message' AND user = ?",
            (f"api:full:{person}",),
        )
        .fetchone()
    )
    assert variant[0] == "B"


def test_a_phone_number_becomes_a_lead_of_the_api_person(server) -> None:
    client(server).chat.completions.create(
        model="shop",
        messages=[{"role": "user", "content": "Call me on 13812345678 about beans"}],
        user="lead-1",
    )
    leads = LeadStore(journal(server)).list("shop")
    mine = [lead for lead in leads if lead.user == "api:full:lead-1"]
    assert len(mine) == 1 and mine[0].value("phone") == "13812345678"


def test_each_call_without_user_is_a_person_of_its_own(server) -> None:
    ask = client(server).chat.completions.create
    ids = [ask(model="other", messages=[{"role": "user", "content": "Hi"}]).id for _ in range(2)]
    speakers = {inbox_row(server, i)["speaker"] for i in ids}
    assert speakers == {f"api:full:{i}" for i in ids}


def test_a_system_message_is_taken_only_where_the_bot_allows_it(server) -> None:
    messages = [
        {"role": "system", "content": "Always answer in French."},
        {"role": "user", "content": "Hello"},
    ]
    with pytest.raises(openai.BadRequestError) as refused:
        client(server).chat.completions.create(model="shop", messages=messages)
    error = error_of(refused.value)
    assert error["param"] == "messages" and error["code"] == "system_not_allowed"
    assert error["type"] == "invalid_request_error"
    assert "allow_system" in error["message"]
    allowed = client(server).chat.completions.create(model="open", messages=messages)
    assert allowed.choices[0].message.content.strip()


# --- refusals ---------------------------------------------------------------------------


def test_without_a_key_nothing_is_open_even_on_loopback(server) -> None:
    for method, path in (("GET", "/v1/models"), ("POST", "/v1/chat/completions")):
        response = requests.request(method, server["url"] + path, json={}, timeout=30)
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == "invalid_api_key" and "Authorization" in error["message"]
        assert "www-authenticate" not in response.headers  # not the studio's password
    basic = requests.get(server["url"] + "/v1/models", auth=("", PASSWORD), timeout=30)
    assert basic.status_code == 401  # the studio password is no API key
    anywhere = requests.get(server["url"] + "/v1/embeddings", timeout=30)
    assert anywhere.status_code == 401


def test_a_wrong_key_is_refused(server) -> None:
    wrong = "bsk-00000000-" + "A" * 43
    for key in (wrong, "sk-not-ours", server["keys"]["full"] + "x"):
        with pytest.raises(openai.AuthenticationError) as refused:
            client(server, key).models.list()
        error = error_of(refused.value)
        assert error["code"] == "invalid_api_key" and error["type"] == "invalid_request_error"
        assert "密钥" in error["message"]  # the server's language: the studio's, Chinese


def test_a_bot_outside_the_keys_list_is_as_if_it_did_not_exist(server) -> None:
    limited = client(server, server["keys"]["limited"])
    messages = [{"role": "user", "content": "Hi"}]
    errors = []
    for model in ("other", "nobody", "shop:A"):
        with pytest.raises(openai.NotFoundError) as refused:
            limited.chat.completions.create(model=model, messages=messages)
        errors.append(error_of(refused.value))
    assert all(e["code"] == "model_not_found" for e in errors)
    assert errors[0]["message"].replace("other", "X") == errors[1]["message"].replace("nobody", "X")
    with pytest.raises(openai.NotFoundError):
        client(server).chat.completions.create(model="ab:C", messages=messages)
    assert limited.chat.completions.create(model="shop", messages=messages).choices


def test_a_key_over_its_rate_waits(server) -> None:
    slow = client(server, server["keys"]["slow"])
    assert len(slow.models.list().data) == 6
    assert len(slow.models.list().data) == 6
    with pytest.raises(openai.RateLimitError) as refused:
        slow.models.list()
    error = error_of(refused.value)
    assert error["code"] == "rate_limit_exceeded"
    wait = int(refused.value.response.headers["retry-after"])
    assert 1 <= wait <= 60
    assert client(server).models.list().data  # another key is not held back


def test_a_broken_bot_file_is_a_503_in_words(server) -> None:
    with pytest.raises(openai.InternalServerError) as refused:
        client(server).chat.completions.create(
            model="broken", messages=[{"role": "user", "content": "Hi"}]
        )
    assert refused.value.status_code == 503
    error = error_of(refused.value)
    assert error["code"] == "bot_unavailable" and "broken" in error["message"]
    assert "Traceback" not in error["message"]


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"temperature": 2.5}, "temperature"),
        ({"temperature": "hot"}, "temperature"),
        ({"n": 2}, "n"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_completion_tokens": 1.5}, "max_completion_tokens"),
        ({"user": "u" * 65}, "user"),
        ({"stream": "yes"}, "stream"),
        ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools"),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "assistant", "content": "Hi"}]}, "messages"),
        ({"messages": [{"role": "tool", "content": "Hi"}]}, "messages[0].role"),
        ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
            "messages[0].content",
        ),
        ({"messages": [{"role": "user", "content": "x" * 32_001}]}, "messages"),
        ({"model": ""}, "model"),
    ],
)
def test_a_bad_request_is_a_clear_400(server, change: dict, param: str) -> None:
    body = {"model": "shop", "messages": [{"role": "user", "content": "Hi"}], **change}
    extra = {k: v for k, v in body.items() if k not in ("model", "messages")}
    with pytest.raises(openai.BadRequestError) as refused:
        client(server).chat.completions.create(
            model=body["model"], messages=body["messages"], extra_body=extra
        )
    error = error_of(refused.value)
    assert error["param"] == param and error["type"] == "invalid_request_error"
    if param == "messages" and "x" * 100 in json.dumps(body):
        assert "32000" in error["message"]  # the limit, named


def test_a_body_that_is_not_json_and_one_too_large(server) -> None:
    headers = {"Authorization": f"Bearer {server['keys']['full']}"}
    url = server["url"] + "/v1/chat/completions"
    response = requests.post(url, data=b"{not json", headers=headers, timeout=30)
    assert response.status_code == 400 and response.json()["error"]["param"] is None
    huge = b'{"model": "shop", "messages": [], "pad": "' + b"x" * (1024**2) + b'"}'
    response = requests.post(url, data=huge, headers=headers, timeout=30)
    assert response.status_code == 413  # refused before the API reads it, in OpenAI's shape
    assert response.json()["error"]["code"] == "request_too_large"
    assert "1 MB" in response.json()["error"]["message"]


def test_a_browser_page_elsewhere_cannot_call_the_api(server) -> None:
    headers = {
        "Authorization": f"Bearer {server['keys']['full']}",
        "Origin": "https://evil.example",
    }
    response = requests.get(server["url"] + "/v1/models", headers=headers, timeout=30)
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "permission_error"
    assert "access-control-allow-origin" not in response.headers


# --- the `apikey` command ---------------------------------------------------------------


def test_apikey_create_list_revoke_round_trip(server) -> None:
    home = server["home"]
    data, bots = home / "data", home / "bots"
    made = launch(data, bots, "apikey", "create", "crm", "--bots", "shop,ab", "--rate", "5/minute")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert KEY.fullmatch(key) and made.stdout.count("bsk-") == 1  # the key alone on stdout
    assert "只显示这一次" in made.stderr and "每分钟 5 次" in made.stderr
    assert client(server, key).models.list().data[0].id in ("ab", "ab:A", "shop")

    listed = launch(data, bots, "apikey", "list")
    assert listed.returncode == 0
    row = next(line for line in listed.stdout.splitlines() if line.startswith("crm "))
    assert "ab, shop" in row and "每分钟 5 次" in row
    assert key not in listed.stdout and key.rsplit("-", 1)[1] not in listed.stdout
    assert re.search(r"^full\s.*全部\s+不限", listed.stdout, re.M)

    again = launch(data, bots, "apikey", "create", "crm")
    assert again.returncode == 1 and "已经有名为" in again.stderr and "bsk-" not in again.stdout
    bad = launch(data, bots, "apikey", "create", "Bad Name!")
    assert bad.returncode == 1 and "不能用" in bad.stderr
    rate = launch(data, bots, "apikey", "create", "fast", "--rate", "lots")
    assert rate.returncode == 1 and "60/minute" in rate.stderr
    nobot = launch(data, bots, "apikey", "create", "typo", "--bots", "shopp")
    assert nobot.returncode == 1 and "shopp" in nobot.stderr

    revoked = launch(data, bots, "apikey", "revoke", "crm")
    assert revoked.returncode == 0 and "crm" in revoked.stdout
    deadline = time.monotonic() + 5
    with pytest.raises(openai.AuthenticationError):  # from the next request on
        while time.monotonic() < deadline:
            client(server, key).models.list()
    assert "crm" not in launch(data, bots, "apikey", "list").stdout
    assert launch(data, bots, "apikey", "revoke", "crm").returncode == 1
