"""The match index: BM25 and skill retrieval, in-place updates, exact compaction, filters, similarity."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

import pytest

from jobfirst_ai.engine.match_index import (
    MAX_QUERY_TERMS,
    IndexedPosting,
    IndexHit,
    MatchFilter,
    MatchIndex,
    PostingFields,
)
from jobfirst_ai.engine.tokens import term_counts

NOWHERE = PostingFields()

ENGLISH = {
    "java": "Senior Java engineer: Java services with Spring Boot, Kafka and microservices",
    "python": "Python data analyst: pandas, SQL, dashboards and reporting in Python",
    "sales": "Sales representative: customer relationships, negotiation, quotas",
    "nurse": "Registered nurse: patient care, IV therapy, medication administration",
}
CHINESE = {
    "后端": "Java后端开发工程师：负责微服务架构设计，熟悉Spring Boot、Kafka和MySQL",
    "数据": "数据分析师：负责业务数据分析，熟练使用SQL和Python，会机器学习者优先",
    "销售": "销售经理：负责客户开发与维护，完成销售目标，具备良好的谈判能力",
    "护士": "病区护士：负责基础护理和静脉输液，执行医嘱，做好护理记录",
}


def indexed(texts: Mapping[str, str], **options: int) -> MatchIndex:
    index = MatchIndex(**options)
    for key, text in texts.items():
        index.add(key, term_counts(text), [], NOWHERE)
    return index


def keys(hits: list[IndexHit]) -> list[str]:
    return [hit.key for hit in hits]


@pytest.mark.parametrize(
    ("texts", "query", "best"),
    [
        (ENGLISH, "Backend developer, 5 years of Java and Spring Boot, Kafka", "java"),
        (ENGLISH, "Analyst skilled in SQL and pandas", "python"),
        (CHINESE, "熟悉微服务和Spring Boot的Java开发", "后端"),
        (CHINESE, "护理专业毕业，熟悉静脉输液和基础护理", "护士"),
    ],
)
def test_the_posting_sharing_the_rarest_words_comes_first(
    texts: dict[str, str],
    query: str,
    best: str,
) -> None:
    hits = indexed(texts).search(term_counts(query), [], limit=10)

    assert hits[0].key == best
    assert all(hit.bm25 > 0 for hit in hits)


def test_more_occurrences_and_a_shorter_posting_score_higher() -> None:
    index = indexed(
        {
            "once": "kafka engineer",
            "twice": "kafka kafka engineer",
            "long": "kafka engineer with many other words about teams offices lunches parking benefits",
        }
    )

    assert keys(index.search({"kafka": 1}, [], limit=10)) == ["twice", "once", "long"]


def test_a_write_is_visible_to_the_next_search() -> None:
    index = indexed(ENGLISH)

    index.add("java", term_counts("Nurse practitioner, patient care"), [], NOWHERE)
    index.add("go", term_counts("Go developer, Kafka, gRPC"), [], NOWHERE)

    assert keys(index.search({"kafka": 1}, [], limit=10)) == ["go"]
    assert set(keys(index.search({"patient": 1}, [], limit=10))) == {"java", "nurse"}
    assert len(index) == 5 and "go" in index


def test_a_removed_posting_is_never_found_and_can_come_back() -> None:
    index = indexed(ENGLISH)

    assert index.remove("java") is True
    assert index.remove("java") is False
    assert "java" not in index and len(index) == 3
    assert index.search({"java": 1}, ["Java"], limit=10) == []

    index.add("java", term_counts(ENGLISH["java"]), ["Java"], NOWHERE)
    assert keys(index.search({"java": 1}, ["Java"], limit=10)) == ["java"]


def test_compaction_changes_no_hit_and_no_score() -> None:
    index = MatchIndex(delta_limit=1000)
    for number, text in enumerate([*ENGLISH.values(), *CHINESE.values()] * 5):
        skills = ["Java", "SQL"][number % 2 :]
        index.add(f"p{number:02d}", term_counts(f"{text} #{number % 7}"), skills, NOWHERE)
    index.compact()
    for number in range(0, 40, 3):
        index.remove(f"p{number:02d}")
    index.add("p01", term_counts(CHINESE["数据"]), ["Python"], NOWHERE)
    queries = [term_counts(text) for text in [*ENGLISH.values(), *CHINESE.values()]]

    before = [index.search(query, ["Java", "Python"], limit=12) for query in queries]
    index.compact()
    after = [index.search(query, ["Java", "Python"], limit=12) for query in queries]

    assert after == before
    assert all(before)


def test_a_bulk_load_finds_what_single_adds_find() -> None:
    postings = [
        IndexedPosting(key, term_counts(text), ["SQL"] if "SQL" in text else [], NOWHERE)
        for key, text in [*ENGLISH.items(), *CHINESE.items()]
    ]
    one_by_one, bulk = MatchIndex(), MatchIndex()
    for posting in postings:
        one_by_one.add(*posting)

    bulk.add_many([*postings[:3], postings[0]._replace(terms={"stale": 1}), *postings[3:]])
    bulk.add_many([postings[0]])

    for query in ("Java Kafka microservices", "数据分析 SQL", "护理"):
        assert bulk.search(term_counts(query), ["SQL"], limit=5) == one_by_one.search(
            term_counts(query), ["SQL"], limit=5
        )
    assert bulk.search({"stale": 1}, [], limit=5) == []


def test_writes_past_the_delta_limit_compact_by_themselves_and_stay_exact() -> None:
    small, large = MatchIndex(delta_limit=3), MatchIndex(delta_limit=1000)
    for number in range(20):
        for index in (small, large):
            index.add(f"p{number}", term_counts(f"kafka engineer {number} " * (number % 4 + 1)), [], NOWHERE)
            if number % 5 == 4:
                index.remove(f"p{number - 2}")

    assert small.search({"kafka": 2, "engineer": 1}, [], limit=20) == large.search(
        {"kafka": 2, "engineer": 1}, [], limit=20
    )


def test_ties_are_broken_by_key() -> None:
    index = MatchIndex()
    for key in ("b", "c", "a", "d"):
        index.add(key, {"kafka": 1}, [], NOWHERE)

    assert keys(index.search({"kafka": 1}, [], limit=3)) == ["a", "b", "c"]
    index.add("z", {"kafka": 2}, [], NOWHERE)
    assert keys(index.search({"kafka": 1}, [], limit=3)) == ["z", "a", "b"]


def test_a_posting_sharing_only_a_skill_is_found() -> None:
    index = indexed(ENGLISH)
    index.add("k8s", {"容器": 2, "编排": 1}, ["Kubernetes"], NOWHERE)

    hits = index.search(term_counts("Docker and container orchestration"), ["kubernetes"], limit=10)

    assert keys(hits) == ["k8s"]
    assert hits[0].bm25 == 0 and hits[0].skill_overlap == 1 and hits[0].score == 1.0


def test_the_score_adds_normalised_bm25_and_the_share_of_skills_matched() -> None:
    index = MatchIndex()
    index.add("both", {"kafka": 1}, ["Java", "Kafka"], NOWHERE)
    index.add("text", {"kafka": 3}, [], NOWHERE)

    hits = {hit.key: hit for hit in index.search({"kafka": 1}, ["java", "kafka", "go", "go"], limit=5)}

    best = max(hit.bm25 for hit in hits.values())
    assert hits["both"].score == pytest.approx(hits["both"].bm25 / best + 2 / 3)
    assert hits["text"].score == pytest.approx(1.0)


def test_similarity_is_a_bounded_cosine_and_one_for_the_same_text() -> None:
    index = indexed({**ENGLISH, **CHINESE})

    hits = index.search(term_counts(ENGLISH["java"]), [], limit=10)

    assert hits[0].key == "java" and hits[0].similarity == pytest.approx(1.0)
    assert all(0.0 <= hit.similarity <= 1.0 for hit in hits)
    assert hits[1].similarity < 0.5
    assert index.similarity(term_counts(CHINESE["护士"]), "护士") == pytest.approx(1.0)
    assert index.similarity(term_counts(CHINESE["护士"]), "missing") == 0.0


def test_similarity_to_an_unindexed_posting_uses_the_index_idf() -> None:
    index = indexed(ENGLISH)
    query = term_counts("Java engineer with Kafka")

    expected = index.similarity(query, "java")
    assert index.similarity_to(query, term_counts(ENGLISH["java"])) == pytest.approx(expected)
    assert index.similarity_to(query, {}) == 0.0
    assert index.similarity_to({}, {"java": 1}) == 0.0


def test_a_long_query_searches_its_heaviest_terms() -> None:
    index = MatchIndex()
    filler = {f"common{number}": 1 for number in range(MAX_QUERY_TERMS + 20)}
    for number in range(30):
        index.add(f"p{number}", filler, [], NOWHERE)
    index.add("rare", {"zookeeper": 1}, [], NOWHERE)

    hits = index.search({**filler, "zookeeper": 1}, [], limit=1)

    assert keys(hits) == ["rare"]


def test_empty_index_queries_and_limits_return_nothing() -> None:
    index = MatchIndex()
    assert index.search({"java": 1}, ["Java"], limit=10) == []
    index.add("java", {"java": 1}, [], NOWHERE)
    assert index.search({"java": 1}, [], limit=0) == []
    assert index.search({}, [], limit=10) == []
    assert index.search({"cobol": 1}, ["COBOL"], limit=10) == []


FIELDS = {
    "bj": PostingFields("北京市朝阳区", ("Remote", "五险一金"), 20_000, 30_000),
    "sh": PostingFields("Shanghai", ("remote",), 10_000, 15_000),
    "gz": PostingFields("广州", (), 25_000, None),
    "unpaid": PostingFields("Beijing", ("remote",)),
    "capped": PostingFields(None, (), None, 12_000),
}


@pytest.fixture
def placed() -> MatchIndex:
    index = MatchIndex()
    for key, fields in FIELDS.items():
        index.add(key, {"engineer": 1}, [], fields)
    return index


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (MatchFilter(locations=("北京",)), ["bj"]),
        (MatchFilter(locations=("BEIJING", "shang")), ["sh", "unpaid"]),
        (MatchFilter(tags=("REMOTE",)), ["bj", "sh", "unpaid"]),
        (MatchFilter(tags=("remote", "五险一金")), ["bj"]),
        (MatchFilter(tags=("unknown",)), []),
        (MatchFilter(salary_min=26_000), ["bj", "gz"]),
        (MatchFilter(salary_max=11_000), ["capped", "sh"]),
        (MatchFilter(salary_min=14_000, salary_max=21_000), ["bj", "sh"]),
        (MatchFilter(locations=("beijing",), salary_min=1), []),
        (MatchFilter(), ["bj", "capped", "gz", "sh", "unpaid"]),
    ],
)
def test_filters_limit_the_hits(placed: MatchIndex, where: MatchFilter, expected: list[str]) -> None:
    assert keys(placed.search({"engineer": 1}, [], limit=10, where=where)) == expected


def test_filters_survive_compaction_and_replacement(placed: MatchIndex) -> None:
    placed.add("sh", {"engineer": 1}, [], PostingFields("Shenzhen", ()))
    placed.compact()

    assert keys(placed.search({"engineer": 1}, [], limit=10, where=MatchFilter(tags=("remote",)))) == [
        "bj",
        "unpaid",
    ]
    where = MatchFilter(locations=("shenzhen",))
    assert keys(placed.search({"engineer": 1}, [], limit=10, where=where)) == ["sh"]


def test_memory_is_reported() -> None:
    assert indexed(ENGLISH).memory_bytes() > 0


def reference_bm25(docs: dict[str, dict[str, int]], query: dict[str, int]) -> dict[str, float]:
    """BM25 as the module docstring writes it, term by term."""
    live = len(docs)
    average = sum(sum(terms.values()) for terms in docs.values()) / live
    scores = dict.fromkeys(docs, 0.0)
    for term, count in query.items():
        df = sum(term in terms for terms in docs.values())
        if df == 0:
            continue
        idf = math.log(1 + (live - df + 0.5) / (df + 0.5))
        for key, terms in docs.items():
            tf = terms.get(term, 0)
            saturation = 1.2 * (0.25 + 0.75 * sum(terms.values()) / average)
            scores[key] += idf * (1 + math.log(count)) * tf * 2.2 / (tf + saturation)
    return scores


def test_bm25_matches_the_formula_through_random_writes() -> None:
    rng = random.Random(4)
    vocabulary = [f"w{number}" for number in range(40)]
    index, docs = MatchIndex(delta_limit=7), {}
    for step in range(120):
        key = f"p{rng.randrange(50)}"
        if rng.random() < 0.25:
            index.remove(key)
            docs.pop(key, None)
        else:
            docs[key] = {term: rng.randint(1, 4) for term in rng.sample(vocabulary, rng.randint(1, 8))}
            index.add(key, docs[key], [], NOWHERE)
        if step % 10 == 9:
            query = {term: rng.randint(1, 3) for term in rng.sample(vocabulary, 5)}
            expected = {key: score for key, score in reference_bm25(docs, query).items() if score > 0}
            hits = index.search(query, [], limit=100)
            assert {hit.key: hit.bm25 for hit in hits} == pytest.approx(expected, rel=1e-5)


def test_an_emptied_index_compacts_and_fills_again() -> None:
    index = indexed(ENGLISH, delta_limit=2)
    for key in ENGLISH:
        index.remove(key)
    index.compact()

    assert len(index) == 0 and index.search({"java": 1}, ["Java"], limit=5) == []
    index.add("again", {"java": 1, "ignored": 0}, [], NOWHERE)
    assert keys(index.search({"java": 1, "ignored": 1}, [], limit=5)) == ["again"]
    assert index.search({"ignored": 1}, [], limit=5) == []
