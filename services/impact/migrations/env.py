from impact.db import Base
from impact.lm3 import tables as _lm3_tables  # noqa: F401  (registers its models on Base)
from impact.social_value import tables as _social_value_tables  # noqa: F401  (likewise)
from localwealth_shared.migrations_env import run

run(Base.metadata)
