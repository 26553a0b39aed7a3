from localwealth_shared.migrations_env import run
from procurement.db import Base

run(Base.metadata)
