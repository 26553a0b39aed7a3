from impact.db import Base
from localwealth_shared.migrations_env import run

run(Base.metadata)
