from land.db import Base
from localwealth_shared.migrations_env import run

run(Base.metadata)
