"""Every table on `Base.metadata`: for what needs the whole schema — alembic (migrations, the schema
comparison test) and the API's SnapStart snapshot (every mapper configured once, before it is taken).

Importing a model module registers its tables; `vkc.db.models` does not import the others (cold start).
"""

from __future__ import annotations

from vkc.db import models, models_analysis, models_collection, models_community, models_search, models_webhooks
from vkc.db.base import Base

MODULES = (models, models_analysis, models_collection, models_community, models_search, models_webhooks)

__all__ = ["MODULES", "Base"]
