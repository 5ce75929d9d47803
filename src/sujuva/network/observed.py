"""The observed organisation network of a selection: shared customers, cases and hand-offs.

Two organisations are linked when they served the same customer (in the same case or in
different cases of that customer). A customer is identified by ``customer_id``; a case without
one counts as a customer of its own. Hand-offs are consecutive steps of a case by different
organisations (:data:`sujuva.analytics.cases.HANDOFF`), waiting as in
:data:`sujuva.analytics.flow.WAIT_SECONDS`.

The placeholder actor ``unknown`` (a missing actor at import) is not an organisation: it is
left out of nodes, edges and hand-offs, so it cannot pose as a hub linking everybody.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sujuva.analytics.cases import HANDOFF
from sujuva.analytics.flow import WAIT_SECONDS
from sujuva.analytics.scope import Scope
from sujuva.eventlog.model import UNKNOWN_ACTOR

#: Edge columns, in order.
EDGE_COLUMNS = (
    "organisation_a",
    "organisation_b",
    "shared_customers",
    "shared_cases",
    "handoffs_ab",
    "handoffs_ba",
    "handoff_wait_median_days",
    "paths",
)
#: Node columns, in order.
NODE_COLUMNS = ("organisation", "cases", "customers", "handoffs_out", "handoffs_in")


@dataclass(frozen=True)
class ObservedNetwork:
    """Organisations and their links in the selected cases.

    ``edges``: one row per unordered pair of organisations that served a common customer —
    organisation_a, organisation_b (names, ``a < b``), shared_customers (distinct customers
    served by both), shared_cases (cases in which both took a step), handoffs_ab and
    handoffs_ba (hand-offs from a to b and from b to a), handoff_wait_median_days (median wait
    at the boundary over both directions; null without hand-offs), paths (the paths of the
    shared cases, comma-separated in name order; empty when only customers are shared).
    Most shared customers first.

    ``nodes``: one row per organisation that took a step — organisation, cases, customers,
    handoffs_out, handoffs_in. Most cases first.

    ``cases``: the number of selected cases (the denominator of an organisation's case share).
    """

    edges: pd.DataFrame
    nodes: pd.DataFrame
    cases: int


#: Common table expressions shared by both statements: the unknown actor's code, each case's
#: customer key, and the distinct (case, organisation) pairs with path and customer key.
_INVOLVED = f"""
    WITH unknown AS (SELECT coalesce(max(code), -1) AS code FROM actors WHERE name = ?),
    case_keys AS (
        SELECT case_idx, path_code,
               CASE WHEN nullif(customer_id, '') IS NULL THEN 'case:' || case_idx::VARCHAR
                    ELSE 'customer:' || customer_id END AS customer_key
        FROM sel_cases
    ),
    involved AS (
        SELECT i.case_idx, i.actor_code, k.path_code, k.customer_key
        FROM (SELECT DISTINCT case_idx, actor_code FROM sel_events
              WHERE actor_code <> (SELECT code FROM unknown)) i
        JOIN case_keys k USING (case_idx)
    ),
    crossings AS (
        SELECT actor_code, next_actor_code, {WAIT_SECONDS} AS w FROM sel_events
        WHERE {HANDOFF} AND actor_code <> (SELECT code FROM unknown)
          AND next_actor_code <> (SELECT code FROM unknown)
    )
"""

_EDGES = (
    _INVOLVED
    + """,
    customer_actors AS (SELECT DISTINCT customer_key, actor_code FROM involved),
    customer_pairs AS (
        SELECT x.actor_code AS a, y.actor_code AS b, count(*) AS shared_customers
        FROM customer_actors x JOIN customer_actors y
          ON x.customer_key = y.customer_key AND x.actor_code < y.actor_code
        GROUP BY ALL
    ),
    case_path_pairs AS (
        SELECT x.actor_code AS a, y.actor_code AS b, x.path_code, count(*) AS cases
        FROM involved x JOIN involved y
          ON x.case_idx = y.case_idx AND x.actor_code < y.actor_code
        GROUP BY ALL
    ),
    case_pairs AS (
        SELECT a, b, sum(cases) AS shared_cases, string_agg(p.name, ', ' ORDER BY p.name) AS paths
        FROM case_path_pairs JOIN paths p ON p.code = path_code
        GROUP BY a, b
    ),
    handoff_pairs AS (
        SELECT least(actor_code, next_actor_code) AS a, greatest(actor_code, next_actor_code) AS b,
               count(*) FILTER (WHERE actor_code < next_actor_code) AS handoffs_ab,
               count(*) FILTER (WHERE actor_code > next_actor_code) AS handoffs_ba,
               median(w) / 86400.0 AS handoff_wait_median_days
        FROM crossings GROUP BY ALL
    )
    SELECT oa.name AS organisation_a, ob.name AS organisation_b, cp.shared_customers,
           coalesce(ca.shared_cases, 0)::BIGINT AS shared_cases,
           coalesce(h.handoffs_ab, 0) AS handoffs_ab, coalesce(h.handoffs_ba, 0) AS handoffs_ba,
           h.handoff_wait_median_days, coalesce(ca.paths, '') AS paths
    FROM customer_pairs cp
    LEFT JOIN case_pairs ca USING (a, b) LEFT JOIN handoff_pairs h USING (a, b)
    JOIN actors oa ON oa.code = cp.a JOIN actors ob ON ob.code = cp.b
    ORDER BY shared_customers DESC, organisation_a, organisation_b
"""
)

_NODES = (
    _INVOLVED
    + """,
    counts AS (
        SELECT actor_code, count(*) AS cases, count(DISTINCT customer_key) AS customers
        FROM involved GROUP BY actor_code
    ),
    outs AS (SELECT actor_code, count(*) AS n FROM crossings GROUP BY actor_code),
    ins AS (SELECT next_actor_code AS actor_code, count(*) AS n FROM crossings GROUP BY ALL)
    SELECT a.name AS organisation, c.cases, c.customers,
           coalesce(o.n, 0) AS handoffs_out, coalesce(i.n, 0) AS handoffs_in,
           (SELECT count(*) FROM sel_cases) AS selected_cases
    FROM counts c JOIN actors a ON a.code = c.actor_code
    LEFT JOIN outs o USING (actor_code) LEFT JOIN ins i USING (actor_code)
    ORDER BY cases DESC, organisation
"""
)


def observed_network(scope: Scope) -> ObservedNetwork:
    """The organisation network of the selected cases, in two set-based statements.

    Pairs come from self-joins of the distinct (case, organisation) and (customer,
    organisation) pairs, hand-offs from one grouped pass over the events' successors; nothing
    loops over events in Python. A pair whose names sort ``a < b`` has the lower actor code
    (codes are assigned in name order), so directions stay consistent with the names.
    """
    edges = scope.frame(_EDGES, [UNKNOWN_ACTOR])
    nodes = scope.frame(_NODES, [UNKNOWN_ACTOR])
    if len(nodes):
        cases = int(nodes["selected_cases"].iloc[0])
    else:  # no organisation took a step: count the selected cases on their own
        cases = int(scope.rows("SELECT count(*) FROM sel_cases")[0][0])  # type: ignore[call-overload]
    return ObservedNetwork(
        edges=edges[list(EDGE_COLUMNS)].reset_index(drop=True),
        nodes=nodes[list(NODE_COLUMNS)].reset_index(drop=True),
        cases=cases,
    )
