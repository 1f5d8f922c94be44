"""Planners' analytics (issue 5): pure functions over a networkx projection of the graph.

Entry points (all take the projection ``g``; records are frozen dataclasses with Chinese reasons;
import them from their modules: this package imports nothing, so the pure modules stay free of
the store)::

    cache = analytics_projection.ProjectionCache()  # engine.services; one per process
    g = cache.graph(store, org_id=planner_scope)    # the planner's org and everything under it
    mob = cache.derived(store, "mobiliser", Mobiliser.from_graph, org_id=planner_scope)

    neighbourhood(g, node, hops=, rel_types=)  paths_between(g, a, b)  council_composition(g, org)
    unit_ties(g, unit)                         uncovered_areas(g)      two_new_org_share(g)
    in_service_reporting_share(g)              supply_demand(g)        needs_without_provider(g)
    monthly_trends(g)                          bridges(g)              dependence(g)
    clusters(g)                                suggest_partnerships(g) mob.find(place, skills, limit=)

Nothing here reads the store: the graph is projected by ``engine.services.analytics_projection``
(its shape, and helpers to build one by hand, in ``graph``); import-linter holds that rule
(``[tool.importlinter]`` in pyproject.toml). Indicators (the three rates and points per org and period) are
the closed loop's: ``engine.services.reports.org_report``.
"""
