"""JSON Lines and CSV connectors: parsing, clear errors with file and line, resumable pages."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import record, write_jsonl
from veilleur.connectors.base import Connector
from veilleur.connectors.files import CsvConfig, CsvConnector, CsvMapping, JsonLinesConfig, JsonLinesConnector
from veilleur.connectors.records import record_to_post
from veilleur.core.post import Platform
from veilleur.errors import MalformedPayload, UnknownPlatform


def jsonl(path, page_size=500):
    return JsonLinesConnector(JsonLinesConfig(path=path, page_size=page_size))


def test_both_file_connectors_follow_the_protocol(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [record(1)])
    assert isinstance(jsonl(path), Connector)
    assert isinstance(CsvConnector(CsvConfig(path=path)), Connector)


def test_a_record_becomes_a_post_with_every_field(tmp_path):
    rec = record(1, text="Merci @SG_Vous", url="https://x.com/a/status/1", lang="fr", conversation_id=77,
                 reply_to="76", author={"handle": "julie", "name": "Julie", "followers": 12, "verified": True,
                                        "bio": "Nantes"}, metrics={"likes": 3, "views": 120})
    [page] = jsonl(write_jsonl(tmp_path / "p.jsonl", [rec])).fetch(None)
    [post] = jsonl(tmp_path / "p.jsonl").parse(page.records[0])
    assert post.platform is Platform.X and post.external_id == "1"
    assert post.author.display_name == "Julie" and post.author.verified and post.author.followers == 12
    assert (post.language, post.conversation_id, post.reply_to_id) == ("fr", "77", "76")
    assert post.metrics == {"likes": 3, "views": 120}
    assert post.created_at.utcoffset().total_seconds() == 0
    assert post.raw["url"] == "https://x.com/a/status/1"


@pytest.mark.parametrize(("line", "reason"), [
    (b"{not json", "not valid JSON"),
    (b'{"platform": "x", "id": "1", "text": "caf\xe9", "created_at": "2026-10-09T08:00:00Z"}', "invalid UTF-8"),
    (json.dumps(record(1, platform="myspace")).encode(), "unknown platform 'myspace'"),
    (json.dumps({k: v for k, v in record(1).items() if k != "text"}).encode(), "text is missing"),
    (json.dumps(record(1, text=42)).encode(), "text must be a string"),
    (json.dumps(record(1, created_at="hier soir")).encode(), "created_at 'hier soir' is not an ISO 8601"),
    (json.dumps(record(1, created_at="2026-10-09T08:00:00")).encode(), "time zone"),
    (json.dumps(record(1, metrics={"likes": "beaucoup"})).encode(), "metrics.likes"),
    (json.dumps(record(1, metrics={"likes": -2})).encode(), "metrics must be >= 0"),
    (json.dumps(record(1, id="")).encode(), "id is missing"),
    (json.dumps(record(1, author=12)).encode(), "author must be an object"),
    (b"[1, 2]", "expected a JSON object"),
])
def test_bad_lines_say_what_is_wrong_and_where(tmp_path, line, reason):
    path = write_jsonl(tmp_path / "p.jsonl", [record(1), line])
    connector = jsonl(path)
    [page] = connector.fetch(None)
    with pytest.raises(MalformedPayload) as info:
        connector.parse(page.records[1])
    assert reason in str(info.value)
    assert info.value.location == "p.jsonl:2"


def test_unknown_platform_is_its_own_error_type():
    with pytest.raises(UnknownPlatform):
        record_to_post(record(1, platform="myspace"))


def test_platform_aliases_are_accepted():
    assert record_to_post(record(1, platform="Twitter")).platform is Platform.X


@given(st.dictionaries(st.sampled_from(["platform", "id", "text", "created_at", "author", "metrics", "lang"]),
                       st.one_of(st.none(), st.text(max_size=20), st.integers(), st.booleans(),
                                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))))
def test_any_record_gives_a_post_or_a_malformed_payload(data):
    try:
        record_to_post(data)
    except MalformedPayload as exc:
        assert exc.reason


def test_pages_resume_after_their_checkpoint(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [record(i) for i in range(1, 8)])
    pages = list(jsonl(path, page_size=3).fetch(None))
    assert [len(p.records) for p in pages] == [3, 3, 1]
    assert pages[1].records[0].location == "p.jsonl:4"
    resumed = list(jsonl(path, page_size=3).fetch(pages[0].checkpoint))
    assert [r.location for p in resumed for r in p.records] == [f"p.jsonl:{i}" for i in range(4, 8)]
    assert list(jsonl(path, page_size=3).fetch(pages[-1].checkpoint)) == []


def test_a_grown_file_resumes_and_a_replaced_one_restarts(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [record(1), record(2)])
    [page] = jsonl(path).fetch(None)
    with path.open("a") as handle:
        handle.write(json.dumps(record(3)) + "\n")
    assert [r.location for p in jsonl(path).fetch(page.checkpoint) for r in p.records] == ["p.jsonl:3"]
    write_jsonl(path, [record(9, text="un tout autre fichier")])
    assert [r.location for p in jsonl(path).fetch(page.checkpoint) for r in p.records] == ["p.jsonl:1"]


def test_blank_lines_are_skipped_but_counted(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(record(1)) + "\n\n   \n" + json.dumps(record(2)) + "\n")
    [page] = jsonl(path).fetch(None)
    assert [r.location for r in page.records] == ["p.jsonl:1", "p.jsonl:4"]


REVIEWS = (
    "review_id,store,title,body,author,date,likes\n"
    "r1,app_store,Super appli,\"Rapide, claire.\nJe recommande\",julie,2026-10-01T10:00:00+02:00,3\n"
    "r2,google_play,Nul,Plante tout le temps,marc,2026-10-02T11:00:00+02:00,\n"
    "r3,google_play,Trop de colonnes,x,y,2026-10-02T11:00:00+02:00,1,extra\n"
    "r4,google_play,Mauvais nombre,x,y,2026-10-02T11:00:00+02:00,beaucoup\n"
)
MAPPING = CsvMapping(id="review_id", text=["title", "body"], created_at="date", platform="store",
                     author="author", metrics={"likes": "likes"})


def test_csv_rows_map_onto_posts_with_line_numbers(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(REVIEWS, encoding="utf-8")
    connector = CsvConnector(CsvConfig(path=path, mapping=MAPPING))
    [page] = connector.fetch(None)
    assert [r.location for r in page.records] == ["reviews.csv:2", "reviews.csv:4", "reviews.csv:5",
                                                  "reviews.csv:6"]
    first = connector.parse(page.records[0])[0]
    assert first.text == "Super appli\nRapide, claire.\nJe recommande"
    assert first.platform is Platform.APP_STORE and first.metrics == {"likes": 3}
    assert connector.parse(page.records[1])[0].metrics == {}
    with pytest.raises(MalformedPayload, match="expected 7 columns, found 8"):
        connector.parse(page.records[2])
    with pytest.raises(MalformedPayload, match="likes must be a whole number"):
        connector.parse(page.records[3])


def test_csv_resumes_after_the_header_and_checkpoint(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(REVIEWS, encoding="utf-8")
    pages = list(CsvConnector(CsvConfig(path=path, mapping=MAPPING, page_size=1)).fetch(None))
    connector = CsvConnector(CsvConfig(path=path, mapping=MAPPING, page_size=1))
    rest = [r for p in connector.fetch(pages[1].checkpoint) for r in p.records]
    assert [r.location for r in rest] == ["reviews.csv:5", "reviews.csv:6"]
    with pytest.raises(MalformedPayload, match="expected 7 columns"):  # header known after a resume
        connector.parse(rest[0])
