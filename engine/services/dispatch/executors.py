"""Where a dispatch run's street partitions are solved: the executor the settings pick.

``dispatch_executor``: ``serial`` (in the serving process), ``dask`` (the Dask cluster at
``dispatch_dask_address``, or a LocalCluster of ``dispatch_workers`` processes started once per
process and kept), or ``auto`` (the default): Dask when ``dask.distributed`` is installed and a
cluster address is set and the run spans at least ``dispatch_dask_min_streets`` streets; serial
otherwise. A local cluster is not chosen by ``auto``: on a 2-core machine its processes cost more
than they bring for a city (see docs/dispatch-distributed.md).
"""

from __future__ import annotations

import atexit
import logging
import threading

from engine.matching.distributed import (
    DaskExecutor,
    Executor,
    SerialExecutor,
    dask_available,
    dask_executor,
)
from engine.settings import Settings

log = logging.getLogger(__name__)
_lock = threading.Lock()
_clients: dict[tuple[str | None, int], DaskExecutor] = {}


def _dask(address: str | None, workers: int) -> DaskExecutor:
    """The process's client of that cluster (made once, closed at exit)."""
    key = (address, workers)
    with _lock:
        if key not in _clients:
            _clients[key] = dask_executor(address, workers=workers)
            atexit.register(_clients[key].close)
        return _clients[key]


def executor_for(settings: Settings, streets: int) -> Executor:
    """The executor a run over ``streets`` street partitions uses under ``settings``."""
    choice = settings.dispatch_executor
    if choice == "serial" or streets < 2:
        return SerialExecutor()
    if not dask_available():
        if choice == "dask":
            log.warning("dispatch_executor=dask but dask.distributed is not installed: solving serially")
        return SerialExecutor()
    if choice == "auto" and (
        settings.dispatch_dask_address is None or streets < settings.dispatch_dask_min_streets
    ):
        return SerialExecutor()
    try:
        return _dask(settings.dispatch_dask_address, settings.dispatch_workers)
    except (OSError, TimeoutError) as exc:
        log.warning("Dask cluster unavailable (%s): solving serially", exc)
        return SerialExecutor()
