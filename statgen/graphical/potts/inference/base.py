"""The estimator contract of the Potts fits (PLM, exact ML, Boltzmann learning).

Configuration in ``__init__`` (stored, not validated), validation and learning in
``fit(s, q=None, *, weights=None, init=None) -> self``, the learned model in ``model_``, and
``score(s)`` the mean log-likelihood per sample under ``model_`` (exact log Z by enumeration for
q**L ≤ 10**6, otherwise pass ``log_z``, e.g. from :func:`statgen.graphical.ais_log_partition`).
``get_params()`` / ``clone()`` come from :class:`statgen._estimator.Estimator`.
"""

from __future__ import annotations

from statgen._checks import check_bool
from statgen._estimator import Estimator


class PenalizedPotts(Estimator):
    """Shared by the Potts estimators: the penalty settings (convention of
    :mod:`statgen.graphical.potts.inference.penalty`), placement, progress and :meth:`score`."""

    def _progress(self) -> bool:
        return check_bool(self.progress, "progress")

    def score(self, s, weights=None, *, log_z: float | None = None) -> float:
        """Mean log-likelihood per sample of ``s`` under ``model_``:
        (1/Σw) Σ_m w_m [−E(s_m)] − log Z (exact log Z unless ``log_z`` is given)."""
        self._check_fitted("model_")
        return self.model_.log_likelihood(s, weights=weights, log_z=log_z)
