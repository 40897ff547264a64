"""Queries: the user requests a run sends, from the shipped sets or a user's data files.

Shipped sets: ``harmful`` (requests across harm categories, phrased as requests only) and
``animal-welfare`` (questions where animal welfare is at stake). Files: AdvBench, HarmBench and
StrongREJECT CSVs are recognised by their header; any other CSV/JSONL is read with a column
mapping. Loading drops repeated texts; sampling is deterministic for a seed.

    >>> queries = sample_queries(load_queries("harmful"), 20, seed=1)
"""

from afscope.queries._load import list_query_sets, load_queries
from afscope.queries._query import Query, dedupe, first_queries, normalise, sample_queries

__all__ = [
    "Query",
    "dedupe",
    "first_queries",
    "list_query_sets",
    "load_queries",
    "normalise",
    "sample_queries",
]
