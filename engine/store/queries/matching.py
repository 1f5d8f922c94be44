"""Matching 派单: bulk reads of street partitions into the matcher's model (open needs, offerings
with the capacity left this period, places and graph ties), dispatch runs and their proposals.
Filters given as null read the whole graph (a dispatch over many streets reads each row once)."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock, period_start
from engine.store.queries.outbox import notify, provider_account, secretaries_of
from engine.store.registry import Statement, cypher
from graph_schema.domain import PROVIDERS

# Read ------------------------------------------------------------------------------------------

PARTITION_STREET_OF = cypher(
    "match.partition.street_of",
    "read",
    """
    MATCH (o:Org {id: $org_id})
    OPTIONAL MATCH (s:Org)-[:LEADS*0..6]->(o)
    WHERE s.level = 'street'
    RETURN o.level AS level, collect(DISTINCT s.id) AS street_ids
    """,
    "an org's level and the street org(s) above it (itself when it is a street)",
)

PARTITION_STREETS_UNDER = cypher(
    "match.partition.streets_under",
    "read",
    """
    MATCH (o:Org {id: $org_id})-[:LEADS*1..6]->(s:Org)
    WHERE s.level = 'street'
    RETURN DISTINCT s.id AS id
    """,
    "the street orgs under an org (a district's or city's street partitions)",
)

PARTITION_ORGS = cypher(
    "match.partition.orgs",
    "read",
    """
    UNWIND $street_ids AS street_id
    MATCH (s:Org {id: street_id})-[:LEADS*0..6]->(o:Org)
    OPTIONAL MATCH (p:Org)-[:LEADS]->(o)
    RETURN DISTINCT o.id AS id, o.level AS level, p.id AS parent_id
    """,
    "the orgs of some street partitions with their level and parents",
)

PARTITION_NEEDS = cypher(
    "match.partition.needs",
    "read",
    """
    MATCH (n:Need)-[:POSTED_BY]->(o:Org)
    WHERE ($org_ids IS NULL OR o.id IN $org_ids) AND n.status = 'open' AND n.window_end > $now
    RETURN n.id AS id, n.category AS category, n.skills AS skills, n.people_wanted AS people_wanted,
           n.urgency AS urgency, n.beneficiaries AS beneficiaries,
           n.beneficiary_count AS beneficiary_count, n.lat AS lat, n.lon AS lon,
           n.window_start AS window_start, n.window_end AS window_end, o.id AS org_id
    ORDER BY id
    """,
    "open, unexpired needs posted by the given orgs (or any); their claimants and areas are read apart "
    "(a pattern comprehension per row made this read 5x slower on FalkorDB)",
)

NEED_CLAIMANTS = cypher(
    "match.partition.need_claimants",
    "read",
    """
    MATCH (q)-[:MAKES]->(c:Claim)-[:FOR]->(n:Need)-[:POSTED_BY]->(o:Org)
    WHERE c.status = 'active' AND n.status = 'open' AND ($org_ids IS NULL OR o.id IN $org_ids)
    RETURN n.id AS id, q.id AS provider_id
    """,
    "the providers actively claiming the open needs posted by the given orgs (or any)",
)

NEED_AREAS = cypher(
    "match.partition.need_areas",
    "read",
    """
    MATCH (o:Org)<-[:POSTED_BY]-(n:Need)-[:LOCATED_IN]->(a:Area)
    WHERE ($org_ids IS NULL OR o.id IN $org_ids) AND n.status = 'open' AND n.window_end > $now
    RETURN n.id AS id, a.id AS area_id
    """,
    "the areas the open, unexpired needs posted by the given orgs (or any) are in",
)

_PARTITION_AREA_WALK = """
    UNWIND $street_ids AS street_id
    MATCH (s:Org {id: street_id})-[:COVERS]->(sa:Area)
    MATCH (sa)-[:CONTAINS*0..5]->(a:Area)
"""

PARTITION_AREAS = cypher(
    "match.partition.areas",
    "read",
    _PARTITION_AREA_WALK
    + """
    OPTIONAL MATCH (p:Area)-[:CONTAINS]->(a)
    RETURN DISTINCT a.id AS id, p.id AS parent_id
    """,
    "the areas of some street partitions with their parent area",
)

PARTITION_AREA_COVERS = cypher(
    "match.partition.area_covers",
    "read",
    _PARTITION_AREA_WALK
    + """
    WITH DISTINCT a
    MATCH (a)<-[:COVERS]-(o:Org)
    WHERE o.level IN $levels
    RETURN a.id AS id, o.level AS level, o.id AS org_id
    """,
    "the orgs of some levels covering the areas of some street partitions (a place is its grid, "
    "community and street: the buildings' own party groups, most of a city's covers, are not read; "
    "WITH DISTINCT a: FalkorDB 4.16 otherwise starts from every node, 20x slower)",
)

_OFFERING_ROWS = """
    RETURN f.id AS id, q.id AS provider_id, labels(q)[0] AS provider_kind, f.category AS category,
           f.skills AS skills, f.capacity AS capacity, f.lat AS lat, f.lon AS lon,
           f.radius_km AS radius_km, f.available_from AS available_from,
           f.available_to AS available_to
"""

OFFERINGS_USED = cypher(
    "match.offerings.used",
    "read",
    f"""
    MATCH (c:Claim)-[:USES]->(f:Offering)
    WHERE c.status = 'active' AND f.status = 'active' AND c.created_at >= {period_start("f")}
    RETURN f.id AS id, count(c) AS used
    """,
    "active offerings with active claims in their current period (the claim statement's capacity "
    "rule), and how many",
)

_ACTIVE_OFFERINGS = """
    MATCH (q)-[:OFFERS]->(f:Offering)
    WHERE f.status = 'active'
"""

OFFERINGS_ACTIVE = cypher(
    "match.offerings.active",
    "read",
    f"""
    {_ACTIVE_OFFERINGS}
    OPTIONAL MATCH (q)-[:LIVES_IN|LOCATED_IN]->(a:Area)
    {_OFFERING_ROWS}, a.id AS area_id
    """,
    "every active offering with the area its provider is placed in (a dispatch over many streets: "
    "one row per offering and area, instead of a second read of the providers' places)",
)

PARTITION_OFFERINGS = cypher(
    "match.partition.offerings",
    "read",
    f"""
    {_ACTIVE_OFFERINGS}
      AND f.lat + coalesce(f.radius_km, 0.0) / $km_lat >= $lat_min
      AND f.lat - coalesce(f.radius_km, 0.0) / $km_lat <= $lat_max
      AND f.lon + coalesce(f.radius_km, 0.0) / $km_lon >= $lon_min
      AND f.lon - coalesce(f.radius_km, 0.0) / $km_lon <= $lon_max
    {_OFFERING_ROWS}
    """,
    "active offerings whose service radius reaches a box",
)

PARTITION_OFFERINGS_OF: dict[str, Statement] = {}  # by label
for _label in PROVIDERS:
    PARTITION_OFFERINGS_OF[_label] = cypher(
        f"match.partition.offerings_of.{_label}",
        "read",
        f"""
        MATCH (q:{_label})-[:OFFERS]->(f:Offering)
        WHERE q.id IN $ids AND f.status = 'active'
        {_OFFERING_ROWS}
        """,
        f"active offerings of some {_label} providers (tied to a partition)",
    )

TIES_AGREEMENTS = cypher(
    "match.ties.agreements",
    "read",
    """
    MATCH (q:Unit)-[:PARTY_TO]->(a:Agreement)<-[:PARTY_TO]-(o:Org)
    WHERE ($org_ids IS NULL OR o.id IN $org_ids) AND a.status = 'active'
    RETURN DISTINCT q.id AS provider_id, 'Unit' AS provider_kind, o.id AS org_id
    """,
    "units holding an active 共建协议 with some orgs (or any)",
)

TIES_REGISTRATIONS = cypher(
    "match.ties.registrations",
    "read",
    """
    MATCH (q)-[:OFFERS]->(f:Offering)
    WHERE f.status = 'active'
    WITH DISTINCT q
    MATCH (q)-[:REPORTS_TO]->(o:Org)
    WHERE $org_ids IS NULL OR o.id IN $org_ids
    RETURN q.id AS provider_id, labels(q)[0] AS provider_kind, o.id AS org_id
    """,
    "units and members with an active offering registered (双报到) with some orgs (or any): the others "
    "match nothing (a city has four times as many registrations as such providers)",
)

PARTITION_PLACED: dict[str, Statement] = {}  # by label
PROVIDER_STREETS: dict[str, Statement] = {}  # by label
PROVIDERS_RECORD: dict[str, Statement] = {}  # by label
for _label in PROVIDERS:
    _home = "LOCATED_IN" if _label == "Unit" else "LIVES_IN"
    PARTITION_PLACED[_label] = cypher(
        f"match.partition.placed.{_label}",
        "read",
        f"""
        MATCH (a:Area)<-[:{_home}]-(q:{_label})-[:OFFERS]->(f:Offering)
        WHERE ($area_ids IS NULL OR a.id IN $area_ids) AND f.status = 'active'
        RETURN DISTINCT q.id AS id, a.id AS area_id
        """,
        f"{_label} providers with an active offering placed in some areas (or anywhere), and where",
    )
    PROVIDER_STREETS[_label] = cypher(
        f"match.provider.streets.{_label}",
        "read",
        f"""
        MATCH (q:{_label} {{id: $id}})-[:{_home}]->(a:Area)<-[:CONTAINS*0..5]-(up:Area)<-[:COVERS]-(s:Org)
        WHERE s.level = 'street'
        RETURN DISTINCT s.id AS id
        """,
        f"the streets a {_label} provider is placed in",
    )
    PROVIDERS_RECORD[_label] = cypher(
        f"match.providers.record.{_label}",
        "read",
        f"""
        UNWIND $ids AS id
        MATCH (q:{_label} {{id: id}})
        RETURN q.id AS id,
               size([(q)-[:SERVES]->(p:Project) WHERE p.status IN ['claimed', 'in_progress'] | p]) AS load,
               [(e:Evaluation)-[:RATES]->(q) WHERE e.direction = 'community_to_provider'
                AND e.rating >= $good_rating | e.id] AS good_ratings
        """,
        f"the load (unfinished projects) and the good ratings of some {_label} providers",
    )

PROVIDERS_LOAD = cypher(
    "match.providers.load",
    "read",
    """
    MATCH (q)-[:SERVES]->(p:Project)
    WHERE p.status IN ['claimed', 'in_progress']
    RETURN q.id AS id, count(p) AS load
    """,
    "every provider's load (unfinished projects), those with any: a run over many streets (one "
    "aggregation instead of a pattern comprehension per provider, 50x faster on FalkorDB)",
)

PROVIDERS_GOOD_RATINGS = cypher(
    "match.providers.good_ratings",
    "read",
    """
    MATCH (e:Evaluation)-[:RATES]->(q)
    WHERE e.direction = 'community_to_provider' AND e.rating >= $good_rating
    MATCH (e)-[:ABOUT]->(:Project)-[:FULFILLS]->(:Need)-[:POSTED_BY]->(o:Org)
    RETURN q.id AS id, e.id AS evaluation_id, o.id AS org_id
    """,
    "every good rating of a provider with the org whose need the rated project served (a run over "
    "many streets)",
)

RATINGS_ORGS = cypher(
    "match.ratings.orgs",
    "read",
    """
    UNWIND $ids AS id
    MATCH (e:Evaluation {id: id})-[:ABOUT]->(p:Project)-[:FULFILLS]->(n:Need)-[:POSTED_BY]->(o:Org)
    RETURN e.id AS id, o.id AS org_id
    """,
    "the org whose need each rated project served",
)

# Runs and proposals ----------------------------------------------------------------------------

RUN_CREATE = cypher(
    "match.run.create",
    "write",
    f"""
    CREATE (r:DispatchRun) SET r = $run
    {AUDIT}
    RETURN r.id AS id
    """,
    "start a dispatch run (status running); one audit entry",
)

PROPOSAL_SUPERSEDE = cypher(
    "match.proposal.supersede",
    "write",
    f"""
    UNWIND $need_ids AS need_id
    MATCH (n:Need {{id: need_id}})
    WITH n
    MATCH (p:Proposal)-[:FOR]->(n)
    WHERE p.status = 'pending'
    {lock("p")}
    WITH p
    WHERE p.status = 'pending'
    SET p.status = 'superseded', p.decided_at = $now, p.reason = $reason
    RETURN count(p) AS superseded
    """,
    "earlier pending proposals of the needs a new run covers become superseded (WITH n: FalkorDB "
    "4.16 would otherwise scan every Proposal per need); each is locked and checked again, so a "
    "proposal a secretary accepts meanwhile stays accepted",
)

PROPOSAL_BULK_CREATE = cypher(
    "match.proposal.bulk_create",
    "write",
    """
    MATCH (r:DispatchRun {id: $run_id})
    UNWIND $rows AS row
    MATCH (n:Need {id: row.need_id})
    MATCH (f:Offering {id: row.offering_id})
    CREATE (p:Proposal) SET p = row.props
    CREATE (p)-[:IN_RUN]->(r)
    CREATE (p)-[:FOR]->(n)
    CREATE (p)-[:USES]->(f)
    RETURN count(p) AS created
    """,
    "a batch of pending proposals of a run, each for a need with an offering",
)

_NOTIFY_RUN = notify(
    "r",
    secretaries_of("$org_ids"),
    kind="'proposal'",
    title="'新一批派单建议:本辖区 ' + toString($needs[acc.scope_org_id]) + ' 个需求有待确认的建议'",
    label="DispatchRun",
    entity_id="r.id",
    actor="$actor_id",
)
RUN_NOTIFY = cypher(
    "match.run.notify",
    "write",
    f"""
    MATCH (r:DispatchRun {{id: $run_id}})
    {lock("r")}
    {_NOTIFY_RUN}
    RETURN size(recipients) AS told
    """,
    "one notification of a run to each secretary of an org with proposals for its needs or those "
    "of the orgs it leads ($needs: org id -> such needs), not one per proposal: a city run wrote "
    "30k notifications, each finding its secretaries by a scan of the accounts (outbox); the run is "
    "locked first, as every statement that reads before it writes",
)

RUN_FINISH = cypher(
    "match.run.finish",
    "write",
    """
    MATCH (r:DispatchRun {id: $id})
    SET r += $props
    RETURN r.id AS id
    """,
    "a run's outcome: status, figures, finish time",
)

_NOTIFY_DECISION = notify(
    "p, q, n",
    f"p.status IN ['accepted', 'rejected'] AND {provider_account('q')}",
    kind="'proposal_' + p.status",
    title="CASE WHEN p.status = 'accepted' THEN '派单建议已采纳:' ELSE '派单建议未采纳:' END + n.title",
    label="Need",
    entity_id="n.id",
    at="$audit.at",
)
PROPOSAL_DECIDE = cypher(
    "match.proposal.decide",
    "write",
    f"""
    MATCH (p:Proposal {{id: $id}})
    {lock("p")}
    WITH p
    WHERE p.status = 'pending'
    SET p += $decision
    {AUDIT}
    WITH p, [(p)-[:USES]->(:Offering)<-[:OFFERS]-(q0) | q0][0] AS q, [(p)-[:FOR]->(n0:Need) | n0][0] AS n
    {_NOTIFY_DECISION}
    RETURN p.id AS id
    """,
    "decide a pending proposal (accepted, rejected or superseded) with one audit entry and, when "
    "accepted or rejected, a notification to the provider's accounts (outbox); "
    "nothing when it is no longer pending",
)

_RUN = "RETURN r {.*} AS run"

RUN_DETAIL = cypher(
    "match.run.detail",
    "read",
    f"""
    MATCH (r:DispatchRun {{id: $id}})
    {_RUN}
    """,
    "one dispatch run",
)

RUN_LIST = cypher(
    "match.run.list",
    "read",
    f"""
    MATCH (r:DispatchRun)
    WHERE $org_ids IS NULL OR r.scope_org_id IN $org_ids
    WITH r ORDER BY r.created_at DESC, r.id SKIP $skip LIMIT $limit
    {_RUN}
    """,
    "dispatch runs over some orgs, newest first",
)

_PROPOSAL = """
MATCH (p)-[:USES]->(f:Offering)<-[:OFFERS]-(q)
RETURN p {.*} AS proposal, r.id AS run_id, n.id AS need_id, n.title AS need_title,
       n.status AS need_status, o.id AS org_id, f.id AS offering_id, f.title AS offering_title,
       q.id AS provider_id, labels(q)[0] AS provider_kind
"""

PROPOSAL_DETAIL = cypher(
    "match.proposal.detail",
    "read",
    f"""
    MATCH (p:Proposal {{id: $id}})-[:IN_RUN]->(r:DispatchRun)
    MATCH (p)-[:FOR]->(n:Need)-[:POSTED_BY]->(o:Org)
    {_PROPOSAL}
    """,
    "one proposal with its run, need, org, offering and provider",
)

PROPOSAL_LIST = cypher(
    "match.proposal.list",
    "read",
    f"""
    MATCH (p:Proposal)-[:IN_RUN]->(r:DispatchRun)
    WHERE ($run_id IS NULL OR r.id = $run_id) AND ($status IS NULL OR p.status = $status)
    MATCH (p)-[:FOR]->(n:Need)-[:POSTED_BY]->(o:Org)
    WHERE ($need_id IS NULL OR n.id = $need_id) AND ($org_ids IS NULL OR o.id IN $org_ids)
    WITH p, r, n, o ORDER BY p.score DESC, p.id SKIP $skip LIMIT $limit
    {_PROPOSAL}
    """,
    "proposals of a run or a need in some orgs, best first",
)
