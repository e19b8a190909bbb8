"""Run independent chunks of a sweep here or on a Dask distributed cluster.

One entry point, :func:`run_chunks`: a list of chunks in, the list of their
results out, in the same order, whichever way they ran.

- ``cluster=None`` (the default): the chunks run one after the other in this
  process. That already uses every local core: the compiled kernels
  (``numba.njit(parallel=True)``, e.g. the raid trial loop) spread each chunk
  over all cores with numba's threads, so a process pool on top would only
  oversubscribe the machine.
- ``cluster="tcp://host:8786"``: connect a ``dask.distributed.Client`` to an
  existing scheduler (``dask scheduler`` + ``dask worker ADDRESS`` on each
  machine), submit one task per chunk, gather the results in order and close
  the client (the cluster itself is left running).

The same function runs on each chunk either way, so for the same inputs the
results are the same; callers keep every random draw on the calling side (or
in counter-based streams keyed per item) so that where a chunk runs cannot
change what it computes. ``function`` must be a top-level function of an
importable module and the chunks must be picklable; the workers need the same
``securityroof`` installed (or on their ``PYTHONPATH``).

Dask is imported only when a cluster is asked for, so the package works
without it installed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from securityroof.errors import RoofError

T = TypeVar("T")
R = TypeVar("R")

CONNECT_TIMEOUT_S = 10.0
_FIX_CONNECT = (
    "Start a scheduler with `dask scheduler` (and workers with `dask worker ADDRESS`), "
    "or run without a cluster, on this machine's cores."
)


def run_chunks(
    function: Callable[[T], R],
    chunks: Sequence[T],
    *,
    cluster: str | None,
    connect_timeout_s: float = CONNECT_TIMEOUT_S,
) -> list[R]:
    """Apply ``function`` to every chunk, locally or on a Dask cluster.

    Parameters
    ----------
    function
        Top-level, importable function of one argument (it is pickled by
        reference and called on the workers).
    chunks
        Picklable arguments, one per task.
    cluster
        None: run in this process (all cores through the kernels' numba
        threads). Otherwise the address of a running Dask scheduler, e.g.
        ``"tcp://10.0.0.5:8786"``.
    connect_timeout_s
        How long to keep trying to reach the scheduler before giving up.

    Returns
    -------
    list
        ``[function(c) for c in chunks]``, in the order of ``chunks``.

    Raises
    ------
    RoofError
        Dask is not installed, the scheduler cannot be reached within
        ``connect_timeout_s``, or the workers cannot import the function's
        module.
    """
    items = list(chunks)
    if cluster is None:
        return [function(c) for c in items]
    address = cluster.strip()
    if not address:
        raise RoofError("the cluster address is empty.", parameter="cluster", fix=_FIX_CONNECT)
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise RoofError(
            f"running on a Dask cluster needs dask[distributed], which is not installed ({exc}).",
            parameter="cluster",
            fix="Install it with `pip install 'dask[distributed]'`, or run without a cluster.",
        ) from None
    try:
        client = Client(address, timeout=connect_timeout_s, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise RoofError(
            f"cannot reach a Dask scheduler at {address} ({type(exc).__name__}: {exc}).",
            parameter="cluster",
            fix=_FIX_CONNECT,
        ) from None
    with client:
        futures: list[Any] = [client.submit(function, c, pure=False) for c in items]
        try:
            results: list[R] = client.gather(futures)
        except ImportError as exc:
            raise RoofError(
                f"the workers of the Dask cluster at {address} cannot import "
                f"{getattr(function, '__module__', '?')} ({exc}).",
                parameter="cluster",
                fix="Install the same securityroof version on every worker "
                "(or put its src/ on the workers' PYTHONPATH) and restart them.",
            ) from None
    return list(results)
