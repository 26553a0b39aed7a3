from localwealth_shared.migrations_env import run
from registry.db import Base

run(Base.metadata)
