"""The nouns of partnerkit: site configuration and content kinds, as plain pydantic models.

Nothing here reads files or imports other parts of the project.
"""
