"""Pure domain rules of the registry: identifiers, legal forms, flags, classifications, certifications.

Nothing here touches a database or HTTP; every rule that rejects input raises a ``ValueError`` subclass
carrying a stable ``rule`` code that API handlers turn into a 422 problem response.
"""
