"""The FastAPI application: routers per resource, the store opened once, errors mapped in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager

from fastapi import Depends, FastAPI

from api.accounts.endpoints import router as accounts_router
from api.agreements.endpoints import router as agreements_router
from api.analytics.endpoints import router as analytics_router
from api.audit.endpoints import router as audit_router
from api.audit.sealing import background_sealer, install_sealer_wakeup
from api.auth.endpoints import router as auth_router
from api.auth.tokens import signing_secret
from api.branches.endpoints import router as branches_router
from api.categories.endpoints import router as categories_router
from api.claims.endpoints import router as claims_router
from api.console.endpoints import router as console_router
from api.directory.endpoints import router as directory_router
from api.dispatch.endpoints import router as dispatch_router
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.evaluations.endpoints import router as evaluations_router
from api.guard import clean_input
from api.health.endpoints import router as health_router
from api.intake.endpoints import router as intake_router
from api.needs.endpoints import router as needs_router
from api.notifications.endpoints import router as notifications_router
from api.observability.endpoints import router as observability_router
from api.observability.middleware import ObservabilityMiddleware
from api.offerings.endpoints import router as offerings_router
from api.open311.endpoints import router as open311_router
from api.personal.endpoints import router as personal_router
from api.pledges.endpoints import router as pledges_router
from api.points.endpoints import router as points_router
from api.posts.endpoints import router as posts_router
from api.projects.endpoints import problems_router
from api.projects.endpoints import router as projects_router
from api.public.endpoints import router as public_router
from api.recommendations.endpoints import router as recommendations_router
from api.registrations.endpoints import router as registrations_router
from api.reports.endpoints import router as reports_router
from api.search.endpoints import router as search_router
from api.security_headers import SecurityHeadersMiddleware
from api.series.endpoints import router as series_router
from api.signups.endpoints import router as signups_router
from api.unit_needs.endpoints import router as unit_needs_router
from api.venues.endpoints import router as venues_router
from engine.services.secret_box import SecretBox
from engine.services.signin_guard import seal_stored_totp
from engine.settings import Settings, get_settings
from engine.store.base import GraphStore
from engine.store.connect import open_store
from engine.store.schema_apply import apply_schema

DESCRIPTION = """
联建 lianjian — 城市基层党建关系图谱与资源匹配引擎。

A graph of Party organisations, resident units, members, needs and offerings, and the
order-style matching (订单式认领) of community needs with unit and member offerings.
Errors answer as JSON `{"code": ..., "message": ...}` with a message in Chinese.
"""


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """Build the app. With ``store`` given it is used as is (tests, the CLI); otherwise the
    store named by the settings is opened at start-up and closed at shutdown."""
    cfg = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with ExitStack() as stack:
            app.state.store = store if store is not None else stack.enter_context(open_store(cfg))
            if store is None:
                apply_schema(app.state.store)
            app.state.settings = cfg
            app.state.token_secret = signing_secret(cfg)
            app.state.secret_box = SecretBox.from_settings(cfg)
            seal_stored_totp(app.state.store, app.state.secret_box)  # any stored before sealing existed
            stack.enter_context(background_sealer(app, app.state.store, cfg))  # the audit's hash chain
            yield

    app = FastAPI(
        title="联建 lianjian",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
        dependencies=[Depends(clean_input)],  # every string taken is checked once, here
    )
    install_error_handlers(app)
    app.add_middleware(SecurityHeadersMiddleware)  # CSP, no framing, no referrer, nosniff
    install_sealer_wakeup(app)
    app.add_middleware(ObservabilityMiddleware)  # request id, access line and metrics of every request
    app.include_router(health_router)
    app.include_router(observability_router)
    app.include_router(auth_router)
    app.include_router(accounts_router)
    app.include_router(audit_router)
    app.include_router(evaluations_router)
    app.include_router(open311_router)
    app.include_router(intake_router)
    app.include_router(public_router)
    app.include_router(points_router)
    app.include_router(reports_router)
    app.include_router(needs_router)
    app.include_router(personal_router)
    app.include_router(notifications_router)
    app.include_router(offerings_router)
    app.include_router(claims_router)
    app.include_router(series_router)
    app.include_router(unit_needs_router)
    app.include_router(pledges_router)
    app.include_router(projects_router)
    app.include_router(problems_router)
    app.include_router(directory_router)
    app.include_router(dispatch_router)
    app.include_router(recommendations_router)
    app.include_router(console_router)
    app.include_router(analytics_router)
    app.include_router(signups_router)
    app.include_router(search_router)
    app.include_router(agreements_router)
    app.include_router(registrations_router)
    app.include_router(venues_router)
    app.include_router(posts_router)
    app.include_router(branches_router)
    app.include_router(categories_router)
    return app
