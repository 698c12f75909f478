"""Every API view module, imported so their routes join the blueprint."""
from cev_learn.api import cohort_views, doc_views  # noqa: F401
from cev_learn.api import outcome_views  # noqa: F401
from cev_learn.api import xapi_views  # noqa: F401
from cev_learn.api import milestone_views  # noqa: F401
from cev_learn.api import rep_views  # noqa: F401
from cev_learn.api import user_views  # noqa: F401
from cev_learn.api.blueprint import bp

__all__ = ["bp"]
