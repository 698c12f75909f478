"""Ranking module search results. Pure: rows in, ordered hits with snippets out."""
from dataclasses import dataclass

MAX_TERMS = 8
SNIPPET_RADIUS = 90


@dataclass(frozen=True)
class SearchHit:
    module_id: int
    score: int
    snippet: str


def search_terms(query: str) -> list[str]:
    """Lower-case words of at least two characters, at most MAX_TERMS of them, no repeats."""
    terms = []
    for word in query.lower().split():
        word = word.strip(".,;:!?\"'()[]")
        if len(word) >= 2 and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def rank(rows: list[tuple[int, str, str]], terms: list[str]) -> list[SearchHit]:
    """Order (id, title, text) rows: title matches weigh most, then how often terms appear."""
    hits = []
    for module_id, title, text in rows:
        lowered_title, lowered = title.lower(), text.lower()
        if not all(term in lowered for term in terms):
            continue
        score = sum(20 * (term in lowered_title) + min(lowered.count(term), 10) for term in terms)
        hits.append(SearchHit(module_id, score, snippet(text, terms)))
    return sorted(hits, key=lambda h: (-h.score, h.module_id))


def snippet(text: str, terms: list[str]) -> str:
    lowered = text.lower()
    positions = [lowered.find(t) for t in terms if lowered.find(t) >= 0]
    at = min(positions) if positions else 0
    start, end = max(at - SNIPPET_RADIUS, 0), min(at + SNIPPET_RADIUS, len(text))
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
